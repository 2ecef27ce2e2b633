using System.Text.Encodings.Web;

namespace Ates.Auth.SignIn;

/// <summary>The one HTML frame of Auth's pages: plain HTML and CSS, no scripts, no build step.</summary>
public static class Page
{
    public static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    public static IResult Html(string title, string body, int status = StatusCodes.Status200OK, bool wide = false) => Results.Content($$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · aTES</title>
        <style>
          :root { --ink: #1d2a24; --muted: #5f6f67; --accent: #1f8a5b; --accent-dark: #166b46; --bad: #b3261e; --line: #d8e2dc; }
          * { box-sizing: border-box; }
          body { margin: 0; min-height: 100vh; display: grid; place-items: center; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
                 color: var(--ink); background: linear-gradient(160deg, #eaf6ef 0%, #f7f4e8 100%); }
          main { width: min(24rem, calc(100vw - 2rem)); background: #fff; border: 1px solid var(--line); border-radius: 14px;
                 padding: 2rem 2rem 1.5rem; box-shadow: 0 10px 30px rgba(29, 42, 36, .08); }
          h1 { margin: 0 0 .25rem; font-size: 1.4rem; }
          .brand { color: var(--accent); font-weight: 700; letter-spacing: .02em; }
          p.lead { margin: 0 0 1.5rem; color: var(--muted); }
          label { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
          input[type=email], input[type=password] { width: 100%; padding: .6rem .7rem; font: inherit; border: 1px solid var(--line); border-radius: 8px; }
          input:focus { outline: 2px solid var(--accent); outline-offset: 1px; border-color: transparent; }
          button { margin-top: 1.5rem; width: 100%; padding: .7rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent);
                   border: 0; border-radius: 8px; cursor: pointer; }
          button:hover { background: var(--accent-dark); }
          .error { margin: 0 0 1rem; padding: .6rem .8rem; color: var(--bad); background: #fdecea; border-radius: 8px; }
          footer { margin-top: 1.25rem; font-size: .85rem; color: var(--muted); text-align: center; }
          main.wide { width: min(72rem, calc(100vw - 2rem)); margin: 2rem 0; }
          .ok { margin: 0 0 1rem; padding: .6rem .8rem; color: var(--accent-dark); background: #e6f4ec; border-radius: 8px; }
          table { width: 100%; border-collapse: collapse; margin-top: 1rem; font-size: .95rem; }
          th, td { text-align: left; padding: .45rem .4rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
          th { color: var(--muted); font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
          tr.deactivated td { color: var(--muted); }
          .inline { display: flex; gap: .35rem; align-items: center; margin: 0; }
          .inline input, .inline select { padding: .3rem .4rem; font: inherit; border: 1px solid var(--line); border-radius: 6px; min-width: 0; }
          .inline input[name=name] { flex: 1 1 11rem; }
          .inline input[name=email] { flex: 1.2 1 12rem; }
          .inline button, .small { margin: 0; width: auto; padding: .3rem .7rem; font-size: .85rem; }
          .secondary { background: #fff; color: var(--ink); border: 1px solid var(--line); }
          .secondary:hover { background: #f1f5f3; }
          .badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; background: #eef3f0; }
          .badge.deactivated { background: #fdecea; color: var(--bad); }
          fieldset { border: 1px solid var(--line); border-radius: 10px; padding: .8rem 1rem 1rem; }
          legend { font-weight: 600; padding: 0 .3rem; }
          .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .6rem; align-items: end; }
          .grid label { margin: 0 0 .2rem; font-size: .85rem; }
          .grid input, .grid select { width: 100%; padding: .5rem; font: inherit; border: 1px solid var(--line); border-radius: 8px; }
          .grid button { margin: 0; }
        </style>
        </head>
        <body><main{{(wide ? " class=\"wide\"" : "")}}>{{body}}</main></body>
        </html>
        """, "text/html; charset=utf-8", statusCode: status);
}
