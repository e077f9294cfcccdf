import json,sys,re,statistics as st
rows={}
for f in sys.argv[1:]:
    side=None;case=None
    for line in open(f):
        m=re.match(r'# (java-main|java-branch|pytorch) (.*)',line)
        if m: side=m.group(1); a=m.group(2)
        if line.startswith('{'):
            d=json.loads(line)
            if '--inference-only' in a: key='infer 608 b1'; v=d['inference_ms_per_map']
            elif '608' in a: key='train 608 b4'; v=d['train_step_ms']
            else: key='train 160 b8'; v=d['train_step_ms']
            rows.setdefault(key,{}).setdefault(side,[]).append(v)
            if key=='train 160 b8': rows.setdefault('infer 160 b8 per map',{}).setdefault(side,[]).append(d['inference_ms_per_map'])
print('| case | pre-round-1 Java (ms) | main Java (ms) | PyTorch (ms) | PyTorch / main | PyTorch / pre |')
print('|---|---|---|---|---:|---:|')
for k in ['train 160 b8','train 608 b4','infer 608 b1','infer 160 b8 per map']:
    r=rows.get(k,{})
    f=lambda s:' / '.join('%.0f'%x for x in r.get(s,[]))
    med=lambda s:st.median(r[s]) if r.get(s) else float('nan')
    print(f"| {k} | {f('java-main')} | {f('java-branch')} | {f('pytorch')} | {med('pytorch')/med('java-branch'):.2f}x | {med('pytorch')/med('java-main'):.2f}x |")
