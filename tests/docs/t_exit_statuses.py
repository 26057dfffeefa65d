#!/usr/bin/env python3
"""The exit statuses the docs list against the one list (runner/shared/runner_errors.h).

The list reaches the programs' --help: each program's last lines ("exit status: 0 done, ...")
name the statuses that program returns. Checked here:
  - a man page's EXIT STATUS section lists exactly its program's statuses;
  - every "Exit status ...:" sentence of the pages carries a marker naming what it documents
    (`<!-- exit-status: e4mext bench -->` in Markdown, a line `; exit-status: e4mext vm run` before
    it in scdoc) and lists exactly the statuses of that command's --help (of the program's footer
    for a program); a sentence without a marker fails: no list goes unchecked;
  - every command's --help lists only statuses of its program's footer.
A status is a number or 128+N; 129-191 count as 128+N; text in parentheses is the meaning, not a
status.

  t_exit_statuses.py E4MEXT E4MEXT_REPORT E4MEXT_VM SOURCE_ROOT
"""
import os
import re
import subprocess
import sys

e4mext, e4mext_report, e4mext_vm, source = sys.argv[1:5]
PROGRAMS = {'e4mext': e4mext, 'e4mext-report': e4mext_report, 'e4mext-vm': e4mext_vm}
# Pages with exit statuses; a man page's EXIT STATUS section is its program's.
PAGES = ['README.md', 'runner/README.md', 'doc/bench.md', 'doc/engine.md', 'doc/report.md', 'doc/install.md',
         'doc/methodology.md', 'doc/tests.md', 'regression/README.md', 'doc/e4mext.1.scd', 'doc/e4mext-report.1.scd',
         'doc/move-ext-regression.1.scd', 'doc/e4mext-engine.7.scd']
MAN_PROGRAMS = {'doc/e4mext.1.scd': 'e4mext', 'doc/e4mext-report.1.scd': 'e4mext-report'}
SENTENCE = re.compile(r'exit status[^:.;\n]{0,8}:', re.IGNORECASE)
MARKER = re.compile(r'(?:<!--|^;) exit-status: ([a-z0-9 -]+?)(?: -->|$)', re.MULTILINE)

failures = []
checked = 0


def fail(message):
    failures.append(message)
    print(f'FAIL: {message}')


def without_parentheses(text):
    out, depth = [], 0
    for ch in text:
        depth += ch == '('
        if depth == 0:
            out.append(ch)
        depth -= ch == ')' and depth > 0
    return ''.join(out)


def sentence_at(text, start):
    """From `start` to the first full stop outside parentheses that ends a sentence."""
    depth = 0
    for i in range(start, len(text)):
        ch = text[i]
        depth += ch == '('
        depth -= ch == ')' and depth > 0
        if ch == '.' and depth == 0 and (i + 1 == len(text) or text[i + 1].isspace()):
            return text[start:i]
        if text.startswith('\n\n', i):
            return text[start:i]
    return text[start:]


def statuses(sentence):
    """The statuses a sentence lists: each number that starts a list item."""
    body = ' '.join(without_parentheses(sentence[sentence.index(':') + 1:]).replace('*', '').split())
    found = set()
    for m in re.finditer(r'(?:^|[:,;] |\bor |\belse )(128\+N|\d+)\b', body):
        s = m.group(1)
        found.add('128+N' if s != '128+N' and 128 < int(s) < 192 else s)
    return found


def help_text(command):
    words = command.split()
    out = subprocess.run([PROGRAMS[words[0]], *words[1:], '--help'], capture_output=True, text=True)
    if out.returncode != 0:
        fail(f'{command} --help: exit {out.returncode}: {out.stderr.strip()}')
    return out.stdout


def help_statuses(command):
    text = help_text(command)
    m = SENTENCE.search(text)
    if not m:
        fail(f'{command} --help names no exit status')
        return set()
    return statuses(sentence_at(text, m.start()))


footers = {p: help_statuses(p) for p in PROGRAMS}
print('--help footers: ' + '; '.join(f'{p} {sorted(s)}' for p, s in footers.items()))
for program, listed in footers.items():
    if not listed:
        fail(f'{program} --help lists no statuses')

cache = dict(footers)


def command_statuses(command):
    if command not in cache:
        cache[command] = help_statuses(command)
        program = command.split()[0]
        extra = cache[command] - footers[program]
        if extra:
            fail(f'{command} --help lists {sorted(extra)}, which {program} --help does not (runner_errors.h)')
    return cache[command]


def compare(where, what, listed, expected):
    global checked
    checked += 1
    if listed != expected:
        missing, extra = sorted(expected - listed), sorted(listed - expected)
        fail(f'{where}: {what} lists {sorted(listed)}; --help says {sorted(expected)}'
             + (f' (missing {missing})' if missing else '') + (f' (extra {extra})' if extra else ''))
    else:
        print(f'ok: {where}: {what} {sorted(listed)}')


for page in PAGES:
    path = os.path.join(source, page)
    text = open(path, encoding='utf-8').read()
    if page in MAN_PROGRAMS:
        section = re.search(r'^# EXIT STATUS\n(.*?)(?=^# |\Z)', text, re.MULTILINE | re.DOTALL)
        if not section:
            fail(f'{page}: no EXIT STATUS section')
        else:
            items = set(re.findall(r'^\*(\d+|128\+N)\*\s*$', section.group(1), re.MULTILINE))
            compare(page, 'EXIT STATUS', items, footers[MAN_PROGRAMS[page]])
    for m in SENTENCE.finditer(text):
        line = text.count('\n', 0, m.start()) + 1
        before = text[max(0, text.rfind('\n', 0, text.rfind('\n', 0, m.start())) + 1):m.start()]
        markers = MARKER.findall(before)
        if not markers:
            fail(f'{page}:{line}: "{m.group(0)}" without a marker naming its command '
                 f'("<!-- exit-status: e4mext COMMAND -->" before it, or "; exit-status: ..." in scdoc)')
            continue
        command = markers[-1].strip()
        if command.split()[0] not in PROGRAMS:
            fail(f'{page}:{line}: marker names "{command}", not a command of {", ".join(PROGRAMS)}')
            continue
        compare(f'{page}:{line}', f'"{command}"', statuses(sentence_at(text, m.start())), command_statuses(command))

print(f'exit statuses: {checked} lists checked, {len(failures)} failed')
sys.exit(1 if failures else 0)
