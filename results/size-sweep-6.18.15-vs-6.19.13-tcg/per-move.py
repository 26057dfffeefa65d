#!/usr/bin/env python3
"""The size sweep's cost per move: for each size, kernel and case, the moves (fio's total_ios over
every run), the moves per second, and the CPU time per move spent under ext4_move_extents and
under its main callees, from the folded stacks (perf record -F 999: one sample is about 1 ms of
one CPU). Reads the committed runs; prints a plain-text table.
    per-move.py results/size-sweep-6.18.15-vs-6.19.13-tcg > per-move.txt"""
import glob, json, os, sys

FUNCS = ['ext4_move_extents', 'ext4_swap_extents', 'ext4_ext_insert_extent', 'ext4_mb_new_blocks',
         '__getblk_slow', 'ext4_free_blocks', '__filemap_get_folio', '__filemap_get_folio_mpol',
         'post_alloc_hook', 'mext_move_extent', 'ext4_find_extent']
SIZES = ['64m', '128m', '256m', '512m', '1g']

def runs_of(case_dir):
    for js in sorted(glob.glob(os.path.join(case_dir, 'run-*.json'))):
        base = js[:-len('.json')]
        if os.path.exists(base + '.perf.folded'):
            yield js, base + '.perf.folded'

def row(case_dir):
    moves = runtime = samples = 0
    under = dict.fromkeys(FUNCS, 0)
    n = 0
    for js, folded in runs_of(case_dir):
        write = json.load(open(js))['jobs'][0]['write']
        moves += write['total_ios']; runtime += write['runtime']; n += 1
        for line in open(folded):
            stack, count = line.rsplit(' ', 1)
            count = int(count); samples += count
            frames = set(f[:-4] for f in stack.split(';') if f.endswith('_[k]'))
            if 'ext4_move_extents' in frames:
                for f in FUNCS:
                    if f in frames:
                        under[f] += count
    return n, moves, runtime, samples, under

root = sys.argv[1]
print(__doc__.split('\n    ')[0].replace('\n', ' ') + '\n')
print('ms/move: wall = fio runtime / moves; move and the functions after it = samples of call chains through')
print('ext4_move_extents and that function, over the moves (a sample is ~1 ms of one vCPU; moves only happen in')
print('the window, so start-up samples do not count here). The rest of the wall time is off-CPU (waiting:')
print('cpu-clock does not see it) or outside the move (fio, the engine, the syscall).')
short = {'ext4_move_extents': 'move', 'ext4_swap_extents': 'swap', 'ext4_ext_insert_extent': 'insert',
         'ext4_mb_new_blocks': 'newblk', '__getblk_slow': 'getblk', 'ext4_free_blocks': 'free',
         '__filemap_get_folio': 'getfolio', '__filemap_get_folio_mpol': 'getfol_m', 'post_alloc_hook': 'zeropg',
         'mext_move_extent': 'mext_mv', 'ext4_find_extent': 'find'}
print('%-7s %-12s %-5s %4s %6s %8s %8s ' % ('case', 'kernel', 'size', 'runs', 'moves', 'moves/s', 'wall') +
      ' '.join('%8s' % short[f] for f in FUNCS))
for case in ['U-4k', 'U-128k', 'M-4k', 'M-128k']:
    for kernel in ['6.18.15-tcg', '6.19.13-tcg']:
        for size in SIZES:
            d = os.path.join(root, size, kernel, 'runs', 'coverletter', case)
            if not os.path.isdir(d):
                continue
            n, moves, runtime, samples, under = row(d)
            if not n or not moves:
                continue
            print('%-7s %-12s %-5s %4d %6d %8.1f %8.2f ' % (case, kernel, size, n, moves, moves / runtime * 1000,
                                                         runtime / moves) +
                  ' '.join('%8.2f' % (under[f] / moves) for f in FUNCS))
        print()
print('function names: ' + ', '.join('%s=%s' % (short[f], f) for f in FUNCS))
