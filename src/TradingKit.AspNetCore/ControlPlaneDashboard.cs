using System.Net;

namespace TradingKit.AspNetCore;

/// <summary>
/// The monitoring page: the engine's status, refreshed every two seconds from <c>GET status</c>. Read-only by design
/// (commands go through <c>POST commands</c> from a tool that sends JSON); it loads nothing from other sites and writes
/// every value as text, never as markup.
/// </summary>
internal static class ControlPlaneDashboard
{
    public static string Page(string prefix) => Template.Replace("{{STATUS_URL}}", WebUtility.HtmlEncode(prefix + "/status"), StringComparison.Ordinal);

    private const string Template = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>TradingKit</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
          h1 { font-size: 1.3rem; }
          table { border-collapse: collapse; min-width: 28rem; }
          th, td { text-align: left; padding: .35rem .8rem; border-bottom: 1px solid #d0d7de; }
          th { font-weight: 600; width: 12rem; }
          .bad { color: #b42318; font-weight: 600; } .warn { color: #9a6700; font-weight: 600; } .ok { color: #1a7f37; font-weight: 600; }
          #error { color: #b42318; }
        </style>
        </head>
        <body>
        <h1>TradingKit session <span id="session_id">…</span></h1>
        <table>
          <tr><th>engine</th><td id="engine_state"></td></tr>
          <tr><th>risk guard</th><td id="risk_state"></td></tr>
          <tr><th>kill switch</th><td id="kill_switch"></td></tr>
          <tr><th>execution mode</th><td id="execution_mode"></td></tr>
          <tr><th>hosted session</th><td id="hosted_status"></td></tr>
          <tr><th>market events</th><td id="market_events"></td></tr>
          <tr><th>worker</th><td id="worker"></td></tr>
          <tr><th>last trip</th><td id="last_trip"></td></tr>
          <tr><th>updated</th><td id="updated"></td></tr>
        </table>
        <p id="error"></p>
        <script>
        const url = "{{STATUS_URL}}";
        const good = { engine_state: ["Running"], risk_state: ["Active"], kill_switch: ["off", "none"] };
        function show(id, value) {
          const cell = document.getElementById(id);
          cell.textContent = value ?? "";
          cell.className = good[id] ? (good[id].includes(value) ? "ok" : "bad") : "";
        }
        async function refresh() {
          try {
            const response = await fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } });
            if (!response.ok) { throw new Error("status " + response.status); }
            const s = await response.json();
            for (const id of ["session_id", "engine_state", "risk_state", "kill_switch", "execution_mode", "hosted_status", "market_events"]) { show(id, s[id]); }
            show("worker", s.worker_id ? `${s.worker_id} (${s.worker_state})` : "not a worker");
            show("last_trip", s.last_trip ? `${s.last_trip.cause} (${s.last_trip.state}) at ${s.last_trip.at}: ${s.last_trip.message}` : "none");
            show("updated", new Date().toISOString());
            document.getElementById("error").textContent = "";
          } catch (e) {
            document.getElementById("error").textContent = "Cannot read the status: " + e.message;
          }
        }
        refresh();
        setInterval(refresh, 2000);
        </script>
        </body>
        </html>
        """;
}
