// The web inbox's only assets, served by adbrain (no build step, nothing from
// another site). Every page works without the script; it only adds comfort:
// filters apply on change, a kill asks once more. On a phone the link table
// becomes cards (every number visible), sorted from the form's "Sort by".
import { createHash } from 'node:crypto';

export const CSS = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#15181d;background:#f5f6f8}
a{color:#0b5fff}
.top{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;padding:10px 16px;background:#fff;border-bottom:1px solid #e2e5ea}
.top nav{display:flex;gap:14px}.top nav a{text-decoration:none;font-weight:600;padding:4px 0}
.top nav a[aria-current=page]{border-bottom:2px solid #0b5fff}
.signout{margin-left:auto;display:flex;gap:8px;align-items:center}
main{max-width:1280px;margin:0 auto;padding:16px}
h1{font-size:21px;margin:4px 0 14px}h2{font-size:17px;margin:22px 0 8px}
.muted{color:#5b6270;font-size:13px}
.flash{background:#e7f6ec;border:1px solid #a6dcb5;padding:10px 12px;border-radius:8px}
.error{background:#fdecea;border:1px solid #f3b3ac;padding:10px 12px;border-radius:8px}
.card{background:#fff;border:1px solid #e2e5ea;border-radius:10px;padding:14px;margin:0 0 10px}
.card h3{font-size:16px;margin:0 0 4px}.card h3 a{text-decoration:none;color:inherit}
.row{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.badge{display:inline-block;font-size:12px;font-weight:600;border-radius:99px;padding:1px 8px;background:#eef0f4}
.sev-critical{background:#fdecea;color:#a31b10}.sev-high,.sev-warning{background:#fff4dc;color:#7a5200}.sev-medium,.sev-low{background:#e8f0ff;color:#1d3f91}.sev-good{background:#e7f6ec;color:#17652f}
.impact{font-weight:700;font-size:16px}
form.inline{display:inline}
form.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end;margin:0 0 14px}
label{font-size:13px;color:#39404d;display:block}
select,input[type=text],input[type=email],input[type=password],input[type=date],textarea{font:inherit;padding:7px 8px;border:1px solid #c9ced8;border-radius:7px;background:#fff;max-width:100%}
textarea{width:100%}
button{font:inherit;font-weight:600;padding:8px 14px;border:0;border-radius:7px;background:#0b5fff;color:#fff;cursor:pointer;min-height:38px}
button.secondary{background:#eef0f4;color:#15181d}button.danger{background:#c62828}
button.link{background:none;color:#0b5fff;padding:0;min-height:0;font-weight:400}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
.actions details{width:100%}
.table-wrap{overflow-x:auto;background:#fff;border:1px solid #e2e5ea;border-radius:10px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:8px 10px;border-bottom:1px solid #edf0f3;text-align:left;white-space:nowrap}
th a{color:inherit;text-decoration:none}th a[aria-sort]::after{content:" ▾"}th a[aria-sort=ascending]::after{content:" ▴"}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{white-space:normal;min-width:160px;max-width:320px;overflow-wrap:anywhere}td.verdict{white-space:normal;min-width:140px}
tr.roi-red td.roi{background:#fdecea;color:#a31b10;font-weight:700}
tr.roi-yellow td.roi{background:#fff4dc;color:#7a5200;font-weight:700}
tr.roi-green td.roi{background:#e7f6ec;color:#17652f;font-weight:700}
tr.killed td{color:#8a909c}
.pager{display:flex;gap:12px;margin:14px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}dl.facts dt{color:#5b6270}dl.facts dd{margin:0;font-variant-numeric:tabular-nums}
svg.chart{width:100%;height:auto;background:#fff;border:1px solid #e2e5ea;border-radius:10px}
svg.chart .spend{fill:#c9d6f3}svg.chart .value{fill:none;stroke:#17652f;stroke-width:2}svg.chart .cut{stroke:#c62828;stroke-dasharray:4 3}
svg.chart text{font-size:11px;fill:#5b6270}
.signin{max-width:420px;margin:8vh auto}
@media (max-width:640px){main{padding:10px}.top{padding:8px 10px}.signout{margin-left:0}th,td{padding:7px 6px}h1{font-size:19px}
table#links thead{display:none}
table#links tr{display:grid;grid-template-columns:repeat(3,1fr);gap:2px 8px;padding:10px;border-bottom:1px solid #e2e5ea}
table#links td{border:0;padding:2px 0;text-align:left;white-space:normal;min-width:0}
table#links td.name,table#links td.verdict,table#links td.act{grid-column:1/-1}
table#links td[data-label]::before{content:attr(data-label);display:block;font-size:11px;color:#5b6270}
table#links td.roi{border-radius:6px;padding:2px 6px}
table#links td.act button{width:100%}
table#links td.verdict:empty{display:none}}
`;

export const JS = `
document.addEventListener('change', function (e) {
  var f = e.target.form;
  if (f && f.hasAttribute('data-autosubmit') && e.target.tagName === 'SELECT') f.submit();
});
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) e.preventDefault();
});
`;

/** Changes with the assets, so a browser never keeps an old stylesheet. */
export const ASSET_VERSION = createHash('sha256').update(CSS + JS).digest('hex').slice(0, 10);
