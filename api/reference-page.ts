/**
 * The interactive API reference at /api/v1/docs: a self-contained page (no CDN) that reads /api/v1/openapi.json,
 * lists every operation with its parameters, body schema and responses, and lets you try it with your session.
 */
export function referencePage(nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dealflow API reference</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style nonce="${nonce}">
body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7fb}
header{background:#1d2330;color:#fff;padding:12px 24px}main{max-width:1000px;margin:0 auto;padding:16px}
details{background:#fff;border:1px solid #dde1ea;border-radius:8px;margin:8px 0;padding:8px 12px}
summary{cursor:pointer}code,pre,textarea{font:12px/1.4 ui-monospace,monospace}pre{background:#f1f3f8;padding:8px;overflow:auto;border-radius:6px}
.m{display:inline-block;min-width:56px;font-weight:600;text-transform:uppercase}.get{color:#0a7d33}.post{color:#1b5fc1}.patch,.put{color:#a15c00}.delete{color:#b3261e}
textarea{width:100%;min-height:80px}h2{margin-top:24px}header a{color:#9cf}.path{width:100%}
</style></head><body><header><b>Dealflow API</b> · <a href="/api/v1/openapi.json">openapi.json</a></header>
<main id="root">Loading…</main>
<script nonce="${nonce}">
const esc=(s)=>String(s).replace(/[&<>"]/g,(c)=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
let csrf=null;fetch('/api/v1/auth/me').then(r=>r.ok?r.json():null).then(j=>{csrf=j&&j.csrfToken});
fetch('/api/v1/openapi.json').then(r=>r.json()).then((doc)=>{
  const byTag={};
  for(const [p,ops] of Object.entries(doc.paths))for(const [m,op] of Object.entries(ops))(byTag[op.tags[0]]??=[]).push({p,m,op});
  let html='<p>'+esc(doc.info.description)+'</p>';let i=0;
  for(const [tag,ops] of Object.entries(byTag)){html+='<h2>'+esc(tag)+'</h2>';
    for(const {p,m,op} of ops){const id='op'+(i++);
      html+='<details><summary><span class="m '+m+'">'+m+'</span> <code>'+esc(p)+'</code> — '+esc(op.summary)+'</summary>';
      if(op.parameters.length)html+='<p><b>Parameters</b></p><pre>'+esc(JSON.stringify(op.parameters.map(x=>({name:x.name,in:x.in,required:x.required,schema:x.schema})),null,2))+'</pre>';
      const body=op.requestBody&&Object.entries(op.requestBody.content)[0];
      if(body)html+='<p><b>Body</b> ('+esc(body[0])+')</p><pre>'+esc(JSON.stringify(body[1].schema,null,2))+'</pre>';
      html+='<p><b>Responses</b>: '+Object.keys(op.responses).map(esc).join(', ')+'</p>';
      if(!body||body[0]==='application/json'){
        html+='<p><b>Try it</b> (uses your session)</p><input id="'+id+'p" class="path" value="'+esc(p)+'">'+(body?'<textarea id="'+id+'b">{}</textarea>':'')+
        '<button data-op="'+id+'" data-m="'+m+'">Send</button><pre id="'+id+'r"></pre>';}
      html+='</details>';}}
  document.getElementById('root').innerHTML=html;
  document.querySelectorAll('button[data-op]').forEach((b)=>b.onclick=async()=>{const id=b.dataset.op;const m=b.dataset.m.toUpperCase();
    const bodyEl=document.getElementById(id+'b');const headers={'content-type':'application/json'};if(csrf)headers['x-csrf-token']=csrf;
    const r=await fetch(document.getElementById(id+'p').value,{method:m,headers,body:bodyEl?bodyEl.value:undefined});
    document.getElementById(id+'r').textContent=r.status+' '+(await r.text());});
});
</script></body></html>`;
}
