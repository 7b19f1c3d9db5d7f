// The browser snippet served at /t.js: no dependencies, about 1 kB. It keeps a
// session id (first-party cookie + localStorage; the one a tracking link brought in
// ?adb_sid= wins), posts the page view to /v1/track/visit with the page's
// utm_campaign, and every later page view — SPA navigation through pushState,
// replaceState or popstate included — to /v1/track/activity. Bodies go as text/plain
// (sendBeacon, or fetch keepalive), which needs no CORS preflight.
//   <script src="https://adbrain.example/t.js" data-site="site_…" defer></script>
//   window.adbrain.sessionId() → the id to send with the order from the checkout.
export const SNIPPET = `(function(){
var s=document.currentScript;if(!s||window.adbrain)return;
var site=s.getAttribute('data-site'),base=s.src.replace(/\\/t\\.js(\\?.*)?$/,''),K='adb_sid',ok=/^[A-Za-z0-9_-]{16,64}$/;
function q(n){try{return new URL(location.href).searchParams.get(n)}catch(e){return null}}
function rnd(){var a=new Uint8Array(16),o='';crypto.getRandomValues(a);for(var i=0;i<16;i++)o+=('0'+a[i].toString(16)).slice(-2);return o}
function read(){var m=document.cookie.match(/(?:^|; )adb_sid=([A-Za-z0-9_-]{16,64})/),l=null;try{l=localStorage.getItem(K)}catch(e){}return(m&&m[1])||(l&&ok.test(l)?l:null)}
var via=q(K);via=via&&ok.test(via)?via:null;var sid=via||read()||rnd();
try{localStorage.setItem(K,sid)}catch(e){}
document.cookie=K+'='+sid+'; path=/; max-age=34560000; samesite=lax'+(location.protocol==='https:'?'; secure':'');
function send(p,b){var d=JSON.stringify(b);try{if(navigator.sendBeacon&&navigator.sendBeacon(base+p,d))return}catch(e){}
if(window.fetch)fetch(base+p,{method:'POST',body:d,keepalive:true,credentials:'omit',headers:{'content-type':'text/plain'}}).catch(function(){})}
send('/v1/track/visit',{k:site,s:sid,c:q('utm_campaign'),u:location.href,r:document.referrer||null,via:!!via});
var last=location.href;
function page(){if(location.href===last)return;last=location.href;send('/v1/track/activity',{k:site,s:sid,u:location.href})}
['pushState','replaceState'].forEach(function(m){var o=history[m];history[m]=function(){var r=o.apply(this,arguments);page();return r}});
addEventListener('popstate',page);
window.adbrain={sessionId:function(){return sid}};
})();
`;
