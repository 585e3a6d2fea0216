// Replaced by the paper pipeline sample (engine issue).
Console.WriteLine("TradingKit paper sample: not yet wired.");
return 0;
