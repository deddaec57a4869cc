#!/usr/bin/env python3
# CPU seconds per process, and per thread name of one .NET process, over a window, read from /proc (utime +
# stime). Used for docs/benchmarks.md, "Where the CPU goes": scripts/cpu-split.py SECONDS [DOTNET_PID]
import os, sys, time, collections, re

def snap():
    procs={}
    threads={}
    for pid in os.listdir('/proc'):
        if not pid.isdigit(): continue
        try:
            st=open(f'/proc/{pid}/stat').read()
            comm=st[st.index('(')+1:st.rindex(')')]
            f=st[st.rindex(')')+2:].split()
            procs[pid]=(comm,int(f[11])+int(f[12]))
            if comm=='dotnet' and (len(sys.argv)<3 or pid==sys.argv[2]):
                for tid in os.listdir(f'/proc/{pid}/task'):
                    try:
                        t=open(f'/proc/{pid}/task/{tid}/stat').read()
                        tc=t[t.index('(')+1:t.rindex(')')]
                        g=t[t.rindex(')')+2:].split()
                        threads[(pid,tid)]=(tc,int(g[11])+int(g[12]))
                    except Exception: pass
        except Exception: pass
    return procs,threads
hz=os.sysconf('SC_CLK_TCK')
a,ta=snap(); t0=time.time(); time.sleep(float(sys.argv[1])); b,tb=snap(); el=time.time()-t0
byname=collections.Counter()
for pid,(c,v) in b.items():
    byname[c]+= (v-a.get(pid,(c,0))[1])/hz
print(f'wall {el:.1f} s; CPU seconds by process ({os.cpu_count()} cores = {os.cpu_count()*el:.0f} available):')
for c,v in byname.most_common(12): print(f'  {c:20s} {v:7.1f}  {100*v/el:5.1f} % of one core')
bt=collections.Counter()
for k,(c,v) in tb.items():
    n=re.sub(r'\d+','#',c)
    bt[n]+=(v-ta.get(k,(c,0))[1])/hz
print('dotnet threads by name:')
for c,v in bt.most_common(15): print(f'  {c:20s} {v:7.1f}')
