/**
 * The HTML transcript's stylesheet, inlined in its `<style>` (the document's CSP allows inline
 * styles and `data:` images, nothing else — so no web fonts, no `url(http…)`).
 *
 * Hazards it handles: text from people and models has unbroken URLs and words, so everything
 * wraps anywhere and grid/flex children are `min-width: 0`; tables scroll inside their own box
 * (cells wrap only between words, or the name column collapses to a letter a line) and the wide
 * usage table reflows into one card per row on a phone;
 * images never exceed their column. At 375 px the page must not scroll sideways (checked in
 * Chromium by test/browser/transcript-html.browser.test.ts). Light and dark follow
 * `prefers-color-scheme`; print drops the backgrounds but keeps avatars.
 */
import { INITIAL_HUES } from './transcript-html-format.ts';

const INITIAL_COLOURS = ['#4f46e5', '#0f766e', '#b45309', '#be185d', '#1d4ed8', '#15803d', '#7c3aed', '#b91c1c'];

const hueRules = INITIAL_COLOURS.slice(0, INITIAL_HUES)
  .map((colour, index) => `.hue-${index}{background:${colour}}`)
  .join('');

export const TRANSCRIPT_CSS = `
:root{color-scheme:light dark;--bg:#f7f7f5;--card:#ffffff;--fg:#1c1d21;--muted:#5d616b;--border:#dddfe3;--accent:#4338ca;
--agree:#15803d;--agree-bg:#ecfdf3;--split:#b45309;--split-bg:#fff7ed;--code-bg:#eff0f3;--moderator:#6b7280}
@media (prefers-color-scheme:dark){:root{--bg:#121316;--card:#1b1d22;--fg:#e8e9ec;--muted:#a3a7b1;--border:#30333b;--accent:#a5b4fc;
--agree:#4ade80;--agree-bg:#10261a;--split:#fbbf24;--split-bg:#2a1f0c;--code-bg:#262930;--moderator:#4b5563}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Hiragino Sans GB","Microsoft YaHei",sans-serif;overflow-wrap:anywhere}
main{max-width:46rem;margin:0 auto;padding:1rem}
h1{font-size:1.6rem;line-height:1.25;margin:.2rem 0 .8rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem;padding-bottom:.3rem;border-bottom:1px solid var(--border)}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
p{margin:.4rem 0}
ul{margin:.4rem 0;padding-left:1.25rem}
li{margin:.15rem 0}
img{display:block;max-width:100%;height:auto}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:var(--code-bg);padding:.05em .3em;border-radius:4px}
blockquote{margin:.4rem 0 0;padding:.1rem 0 .1rem .75rem;border-left:3px solid var(--border);color:var(--muted);font-style:italic}
.kicker{margin:0;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.06em}
.muted,.note{color:var(--muted)}
.note{font-size:.9rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:10px;padding:.75rem 1rem;margin:.75rem 0}
.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.3rem .9rem;margin:0}
.facts dt{color:var(--muted)}
.facts dd{margin:0;min-width:0}
.panelists{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.4rem .9rem}
.panelists li{display:flex;align-items:center;gap:.4rem;min-width:0}
.role{color:var(--muted);font-size:.9em}
.avatar{flex:none;display:inline-flex;align-items:center;justify-content:center;width:2.5rem;height:2.5rem;border-radius:50%;
background-color:var(--moderator);background-size:cover;background-position:center;color:#fff;font-weight:600;line-height:1;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
.avatar.small{width:1.6rem;height:1.6rem;font-size:.8rem}
.avatar.moderator{background:var(--moderator)}
.avatar.moderator::before{content:"";width:34%;height:34%;background:#fff;border-radius:2px;transform:rotate(45deg)}
${hueRules}
.agreed{border-left:4px solid var(--agree);background:var(--agree-bg)}
.unavailable{border-left:4px solid var(--muted)}
.split{border-left:4px solid var(--split);background:var(--split-bg)}
.card>h3:first-child{margin-top:.2rem}
.positions{list-style:none;padding:0;margin:.5rem 0 0;display:grid;gap:.6rem}
.position{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:.55rem .75rem;min-width:0}
.position-text{font-weight:600;margin:0}
.held-by{margin:.25rem 0 0;font-size:.92rem}
.held-by strong{color:var(--split)}
.table-scroll{max-width:100%;overflow-x:auto;margin:.5rem 0}
table{border-collapse:collapse;min-width:100%;font-size:.92rem;overflow-wrap:break-word}
th,td{text-align:left;padding:.35rem .55rem;border-bottom:1px solid var(--border);vertical-align:top}
th{font-weight:600;color:var(--muted)}
td.number,th.number{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;overflow-wrap:normal}
tr.total td{font-weight:600}
@media (max-width:480px){.reflow thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
.reflow tr{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));padding:.4rem 0;border-bottom:1px solid var(--border)}
.reflow td{display:block;border:0;padding:.1rem .55rem}.reflow td:first-child{grid-column:1/-1;font-weight:600}
.reflow td.number{text-align:left}.reflow td[data-label]::before{content:attr(data-label);display:block;color:var(--muted);font-size:.8rem;font-weight:400}}
.passed{color:var(--agree);font-weight:600}
figure{margin:.6rem 0;min-width:0}
figure img{border-radius:8px;border:1px solid var(--border);max-height:28rem;width:auto;background:#fff}
figcaption{font-size:.9rem;color:var(--muted);margin-top:.3rem}
.image-source{display:block;font-weight:600}
.image-missing .image-description{background:var(--code-bg);border-radius:8px;padding:.5rem .75rem;color:var(--fg);margin:0}
details{margin:.5rem 0}
summary{cursor:pointer;color:var(--accent)}
.transcript{list-style:none;padding:0;margin:0}
.entry{display:grid;grid-template-columns:2.5rem minmax(0,1fr);gap:.75rem;padding:.8rem 0;border-bottom:1px solid var(--border)}
.entry-body{min-width:0}
.entry-head{margin:0 0 .15rem;display:flex;flex-wrap:wrap;align-items:baseline;gap:0 .5rem}
.entry-head time{color:var(--muted);font-size:.85rem;font-variant-numeric:tabular-nums}
.entry-moderator .text{color:var(--muted)}
.text>:first-child{margin-top:0}
.round{padding:.9rem 0 .2rem;color:var(--muted);font-size:.85rem;font-weight:600;text-transform:uppercase;letter-spacing:.05em}
footer{margin:2.5rem 0 1rem;color:var(--muted);font-size:.8rem}
@media (max-width:420px){main{padding:.75rem}h1{font-size:1.4rem}.entry{grid-template-columns:2.1rem minmax(0,1fr);gap:.6rem}.entry .avatar{width:2.1rem;height:2.1rem}}
@media print{:root{--bg:#fff;--card:#fff;--fg:#000;--muted:#444;--agree-bg:#fff;--split-bg:#fff}main{max-width:none;padding:0}
.entry,figure,.position,tr{break-inside:avoid}h2,h3{break-after:avoid}.table-scroll{overflow:visible}}
`;
