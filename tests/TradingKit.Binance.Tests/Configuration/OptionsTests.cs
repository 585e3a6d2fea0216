using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TradingKit.Binance.Configuration;
using TradingKit.Binance.Tests.Fakes;
using TradingKit.Brokers;
using TradingKit.Errors;

namespace TradingKit.Binance.Tests.Configuration;

public sealed class OptionsTests
{
    private const string Key = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789KEYZ";
    private const string Secret = "s3cr3t-NeverPrintMe-0123456789abcdef";

    [Fact]
    public void Defaults_AreTestnet_SoAMissingSettingNeverReachesRealMoney()
    {
        var o = new BinanceUsdmOptions();
        Assert.Equal(BinanceEnvironment.Testnet, o.Environment);
        Assert.Equal(new Uri("https://testnet.binancefuture.com"), o.EffectiveRestBaseUrl);
        Assert.Equal(new Uri("wss://fstream.binancefuture.com"), o.EffectiveStreamBaseUrl);
    }

    [Fact]
    public void Production_IsChosenByConfigurationAlone()
    {
        var o = Bind(new Dictionary<string, string?> { ["Binance:Environment"] = "Production" });
        Assert.Equal(new Uri("https://fapi.binance.com"), o.EffectiveRestBaseUrl);
        Assert.Equal(new Uri("wss://fstream.binance.com"), o.EffectiveStreamBaseUrl);

        var t = Bind(new Dictionary<string, string?> { ["Binance:Environment"] = "Testnet" });
        Assert.Equal(new Uri("https://testnet.binancefuture.com"), t.EffectiveRestBaseUrl);
    }

    [Fact]
    public void BaseUrls_AreOverridable_ForALocalFakeVenue()
    {
        var o = Bind(new Dictionary<string, string?>
        {
            ["Binance:Environment"] = "Production",
            ["Binance:RestBaseUrl"] = "http://127.0.0.1:5000",
            ["Binance:StreamBaseUrl"] = "ws://127.0.0.1:5000",
        });
        Assert.Equal(new Uri("http://127.0.0.1:5000"), o.EffectiveRestBaseUrl);
        Assert.Equal(new Uri("ws://127.0.0.1:5000"), o.EffectiveStreamBaseUrl);
    }

    [Fact]
    public void ToString_MasksTheKey_AndNeverShowsTheSecret()
    {
        var o = new BinanceUsdmOptions { ApiKey = Key, ApiSecret = Secret };
        var text = o.ToString();
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, text, StringComparison.Ordinal);
        Assert.Contains("***KEYZ", text, StringComparison.Ordinal);
        Assert.Equal("***KEYZ", o.MaskedApiKey);
    }

    [Fact]
    public void Validate_ListsEveryProblem_WithoutLeakingSecrets()
    {
        var o = new BinanceUsdmOptions
        {
            ApiKey = Key,
            RecvWindowMilliseconds = 70_000,
            WeightWarnThreshold = 2100,
            WeightSlowThreshold = 2000,
            ListenKeyKeepAliveInterval = TimeSpan.FromMinutes(60),
            StreamMaxLifetime = TimeSpan.FromHours(24),
            RestBaseUrl = new Uri("ftp://x"),
        };
        var ex = Assert.Throws<TradingKitException>(o.Validate);
        Assert.Equal(ErrorCodes.InvalidOptions, ex.Code);
        foreach (var part in new[] { "ApiSecret", "RecvWindow", "thresholds", "ListenKeyKeepAliveInterval", "StreamMaxLifetime", "RestBaseUrl" })
        {
            Assert.Contains(part, ex.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesATestnetEnvironmentPointingAtProductionHosts()
    {
        var o = new BinanceUsdmOptions { Environment = BinanceEnvironment.Testnet, RestBaseUrl = new Uri("https://fapi.binance.com") };
        var ex = Assert.Throws<TradingKitException>(o.Validate);
        Assert.Contains("production", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddBinanceUsdm_ValidatesOnStart_AndResolvesTheBrokerPort()
    {
        var services = new ServiceCollection();
        services.AddBinanceUsdm(o =>
        {
            o.ApiKey = Key;
            o.ApiSecret = Secret;
            o.RecvWindowMilliseconds = 0;
        });
        using var sp = services.BuildServiceProvider();
        var ex = Assert.Throws<OptionsValidationException>(() => sp.GetRequiredService<IOptions<BinanceUsdmOptions>>().Value);
        Assert.Contains("RecvWindow", ex.Message, StringComparison.Ordinal);

        var ok = new ServiceCollection();
        ok.AddBinanceUsdm(o =>
        {
            o.ApiKey = Key;
            o.ApiSecret = Secret;
        });
        await using var sp2 = ok.BuildServiceProvider();
        var broker = sp2.GetRequiredService<IBrokerAdapter>();
        Assert.IsType<BinanceUsdmBroker>(broker);
        Assert.Equal("binance-usdm", broker.VenueName);
    }

    [Fact]
    public async Task Secrets_NeverAppearInLogs_AcrossASession()
    {
        await using var h = await Harness.StartAsync();
        await h.Broker.ConnectAsync().Bounded();
        h.Venue.Once("POST", "/fapi/v1/order", FakeResponse.Error(400, -2019, "Margin is insufficient."));
        await h.Broker.SubmitAsync(TestOrders.Limit("sec-1")).Bounded();
        Assert.NotEmpty(h.Logs.Lines);
        Assert.All(h.Logs.Lines, line =>
        {
            Assert.DoesNotContain(FakeBinance.ApiSecret, line, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeBinance.ApiKey, line, StringComparison.Ordinal);
        });
        Assert.Contains(h.Logs.Lines, l => l.Contains(h.Options.MaskedApiKey, StringComparison.Ordinal));
    }

    private static BinanceUsdmOptions Bind(Dictionary<string, string?> values)
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var o = new BinanceUsdmOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(config.GetSection(BinanceUsdmOptions.SectionName), o);
        o.Validate();
        return o;
    }
}
