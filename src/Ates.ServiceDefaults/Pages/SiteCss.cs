namespace Ates.ServiceDefaults.Pages;

/// <summary>The one stylesheet of the service pages: plain CSS, no build step, Auth's pages included.</summary>
public static class SiteCss
{
    public const string Text = """
        :root { --ink:#1d2a24; --muted:#5f6f67; --accent:#1f8a5b; --accent-dark:#166b46; --bad:#b3261e; --line:#d8e2dc; --soft:#f1f5f3; }
        * { box-sizing: border-box; }
        html { min-height:100%; background:linear-gradient(160deg,#eaf6ef 0%,#f7f4e8 100%); }
        body { margin:0; font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif; color:var(--ink); }
        a { color:var(--accent-dark); } a:hover { color:var(--accent); }
        header.top { display:flex; align-items:center; gap:1.5rem; padding:.7rem 1.5rem; background:#fff; border-bottom:1px solid var(--line); flex-wrap:wrap; }
        .brand { color:var(--accent); font-weight:800; letter-spacing:.02em; text-decoration:none; font-size:1.15rem; }
        nav { display:flex; gap:.3rem; flex:1; flex-wrap:wrap; }
        nav a { color:var(--ink); text-decoration:none; padding:.3rem .7rem; border-radius:8px; }
        nav a:hover { background:var(--soft); }
        nav a.current { background:#e6f4ec; color:var(--accent-dark); font-weight:600; }
        .who { display:flex; align-items:center; gap:.6rem; margin:0; color:var(--muted); font-size:.9rem; }
        main { width:min(72rem,calc(100vw - 2rem)); margin:1.5rem auto 3rem; background:#fff; border:1px solid var(--line);
               border-radius:14px; padding:1.5rem 2rem 2rem; box-shadow:0 10px 30px rgba(29,42,36,.08); }
        main.narrow { width:min(26rem,calc(100vw - 2rem)); margin-top:10vh; }
        h1 { margin:0 0 1rem; font-size:1.5rem; } h2 { font-size:1.1rem; margin:1.8rem 0 .6rem; }
        .lead { color:var(--muted); }
        .notice { margin:0 0 1rem; padding:.6rem .8rem; border-radius:8px; }
        .notice.ok { color:var(--accent-dark); background:#e6f4ec; } .notice.error { color:var(--bad); background:#fdecea; }
        table { width:100%; border-collapse:collapse; font-size:.95rem; }
        th, td { text-align:left; padding:.5rem .45rem; border-bottom:1px solid var(--line); vertical-align:middle; }
        th { color:var(--muted); font-weight:600; font-size:.78rem; text-transform:uppercase; letter-spacing:.04em; }
        td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
        .neg { color:var(--bad); } .pos { color:var(--accent-dark); }
        .badge { display:inline-block; padding:.05rem .5rem; border-radius:999px; font-size:.78rem; background:#eef3f0; color:var(--ink); }
        .badge.done { background:#e6f4ec; color:var(--accent-dark); } .badge.open { background:#fff4d6; color:#7a5a00; }
        .badge.bad { background:#fdecea; color:var(--bad); }
        .jira { font-family:ui-monospace,SFMono-Regular,Menlo,monospace; font-size:.85rem; color:var(--muted); margin-right:.45rem; }
        button, .button { display:inline-block; padding:.45rem .9rem; font:inherit; font-weight:600; color:#fff; background:var(--accent);
               border:0; border-radius:8px; cursor:pointer; text-decoration:none; }
        button:hover, .button:hover { background:var(--accent-dark); }
        button.secondary, .button.secondary { background:#fff; color:var(--ink); border:1px solid var(--line); }
        button.secondary:hover { background:var(--soft); }
        button.link { background:none; color:var(--accent-dark); padding:0; font-weight:500; }
        button.small { padding:.25rem .65rem; font-size:.85rem; }
        button.danger { background:#fff; color:var(--bad); border:1px solid #f0c4c0; } button.danger:hover { background:#fdecea; }
        details pre { max-height:16rem; overflow:auto; margin:.4rem 0 0; padding:.6rem; border-radius:8px; background:var(--soft);
               font-size:.8rem; white-space:pre-wrap; word-break:break-all; }
        form.inline { display:inline; margin:0; }
        .toolbar { display:flex; gap:.6rem; align-items:end; flex-wrap:wrap; margin:0 0 1rem; }
        .toolbar label, .form label { display:block; font-size:.82rem; font-weight:600; color:var(--muted); margin-bottom:.2rem; }
        input, select, textarea { font:inherit; padding:.45rem .55rem; border:1px solid var(--line); border-radius:8px; background:#fff; color:var(--ink); }
        textarea { width:100%; min-height:6rem; }
        input:focus, select:focus, textarea:focus { outline:2px solid var(--accent); outline-offset:1px; border-color:transparent; }
        .form { display:grid; gap:.9rem; max-width:40rem; } .form input { width:100%; }
        .hint { color:var(--muted); font-size:.85rem; margin:.2rem 0 0; }
        .cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(12rem,1fr)); gap:.8rem; margin:0 0 1.2rem; }
        .card { border:1px solid var(--line); border-radius:12px; padding:.8rem 1rem; background:var(--soft); }
        .card .label { color:var(--muted); font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; }
        .card .value { font-size:1.6rem; font-weight:700; font-variant-numeric:tabular-nums; }
        .empty { color:var(--muted); padding:1.5rem 0; text-align:center; }
        .pager { display:flex; gap:1rem; justify-content:center; margin:1rem 0; }
        .muted { color:var(--muted); }
        .nowrap { white-space:nowrap; }
        """;
}
