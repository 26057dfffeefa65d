#!/usr/bin/env python3
"""The commands in README.md and doc/*.md (```sh blocks) against the programs they name.

For every simple command of every ```sh block (continuation lines joined, comments dropped, split
at && || | ;):
  - its program exists: scripts/NAME in the checkout, build/... in the build, else on PATH;
  - a command of e4mext, e4mext-report, e4mext-vm or a scripts/ wrapper of e4mext names a command
    the program has, and every --option it uses is one that command's --help lists;
  - a fio command line parses (fio --parse-only), engine options included;
  - a command that names only files that exist runs, in a scratch directory where results/,
    jobs/ and build/ are the checkout's: the report's commands on the committed results, and
    every bench command with --dry-run added (no root needed, nothing measured or fetched).
    It must exit 0 (the gate: 0, 1 or 5, its verdicts).
Also doc/bench.md's options table and `e4mext bench --help` name the same options.

  t_doc_commands.py SOURCE_ROOT BUILD_DIR FIO PAGE.md...
Prints one line per checked command; exits 1 when a check failed.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

source, build, fio = (os.path.abspath(a) if i < 2 else a for i, a in enumerate(sys.argv[1:4]))
pages = sys.argv[4:]
failures = []
checked = 0

# e4mext's scripts/ wrappers and the e4mext command each one runs.
WRAPPERS = {'bench': 'bench', 'stress': 'stress', 'regression': 'regression', 'bench-overhead': 'overhead'}
REPORT_COMMANDS = {'table', 'compare', 'plot', 'gate', 'report'}
# Option values that name a file the command writes (their directory must exist, not the file).
OUTPUT_OPTIONS = {'-o', '--output', '--markdown-summary', '--verdict-json'}


def fail(where, message):
    failures.append(f'{where}: {message}')
    print(f'FAIL {where}: {message}')


def sh_blocks(path):
    """(line number, command text) of every ```sh block line, continuations joined."""
    fence, pending, start = False, '', 0
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if line.startswith('```'):
                fence = line.strip() == '```sh' if not fence else False
                continue
            if not fence:
                continue
            if not pending:
                start = number
            if line.endswith('\\'):
                pending += line[:-1] + ' '
                continue
            yield start, pending + line
            pending = ''


def simple_commands(text):
    """The simple commands of one line: word lists split at && || | ; with redirections dropped."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = '#'
    command, skip_next = [], False
    for token in lexer:
        if skip_next:
            skip_next = False
        elif token in ('&&', '||', '|', ';', '&'):
            if command:
                yield command
            command = []
        elif token in ('>', '>>', '<', '2>', '2>>'):
            skip_next = True
        else:
            command.append(token)
    if command:
        yield command


_help_cache = {}


def help_options(program, command):
    """The options PROGRAM COMMAND... --help lists (long and short), or None when it fails."""
    key = (program, tuple(command))
    if key not in _help_cache:
        run = subprocess.run([program, *command, '--help'], capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            _help_cache[key] = None
        else:
            options = set(re.findall(r'(?<![\w-])(--?[A-Za-z][\w-]*)', run.stdout + run.stderr))
            _help_cache[key] = options
    return _help_cache[key]


def program_commands(program, command=()):
    """The command names PROGRAM [COMMAND] --help lists: CLI11's Subcommands: block (a commands:
    block, and a "report commands:" line, are read too)."""
    text = subprocess.run([program, *command, '--help'], capture_output=True, text=True, timeout=120).stdout
    names, block = set(), False
    for line in text.splitlines():
        if re.match(r'^(Subcommands|commands):', line):
            block = True
            continue
        if block and not line.strip():
            block = False
        if block and re.match(r'^  [a-z]', line):
            names.add(line.split()[0])
        if line.startswith('report commands: '):
            names.update(n.strip() for n in line[len('report commands: '):].split('(')[0].split(','))
    return names


def check_options(where, program, command, words):
    options = help_options(program, command)
    if options is None:
        fail(where, f"'{os.path.basename(program)} {' '.join(command)} --help' failed")
        return False
    unknown = [w.split('=')[0] for w in words if w.startswith('-') and w.split('=')[0] not in options
               and not re.fullmatch(r'-\d.*', w)]
    if unknown:
        fail(where, f"{os.path.basename(program)} {' '.join(command)} has no option {' '.join(unknown)}")
        return False
    return True


def paths_exist(words, scratch):
    """Every argument that names a file exists (an output file: its directory)."""
    previous = ''
    for w in words:
        value = w.split('=', 1)[1] if w.startswith('--') and '=' in w else w
        if not value.startswith('-') and ('/' in value or value.startswith('~')):
            path = os.path.join(scratch, os.path.expanduser(value))
            if previous in OUTPUT_OPTIONS:
                path = os.path.dirname(path) or scratch
            if not os.path.exists(path):
                return False
        previous = w
    return True


def run_in_scratch(where, argv, scratch, accepted=(0,)):
    run = subprocess.run(argv, cwd=scratch, capture_output=True, text=True, timeout=600)
    if run.returncode not in accepted:
        tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
        fail(where, f"'{' '.join(argv)}' exited {run.returncode}: {' | '.join(tail)}")
        return False
    print(f'ran  {where}: {os.path.basename(argv[0])} {" ".join(argv[1:])} (exit {run.returncode})')
    return True


def check_e4mext_like(where, program, words, scratch):
    """e4mext / e4mext-report / e4mext-vm: the command, its options, and a run where it can run."""
    commands = program_commands(program)
    if not words or words[0] not in commands:
        fail(where, f"{os.path.basename(program)} has no command '{words[0] if words else ''}'")
        return
    command, args = [words[0]], words[1:]
    if args and help_options(program, command) is not None and args[0] in program_commands(program, command):
        command, args = command + [args[0]], args[1:]
    if not check_options(where, program, command, args):
        return
    if not paths_exist(args, scratch):
        return  # names a file of the reader's (/mnt/ext4, ~/linux/...): its options are checked
    if command[0] in REPORT_COMMANDS:
        run_in_scratch(where, [program, *command, *args], scratch, (0, 1, 5) if command[0] == 'gate' else (0,))
    elif command == ['bench']:
        # every bench line, sudo or not, as a dry run: the cases, the kernels' names and the
        # options must be accepted (no root, nothing run or fetched)
        run_in_scratch(where, [program, *command, *args, *([] if '--dry-run' in args else ['--dry-run'])], scratch)


def check_fio(where, words):
    if any(w.startswith(('--server', '--client')) for w in words):
        return  # starts or talks to a server: nothing to parse
    argv = [fio, '--parse-only']
    for w in words:
        argv.append(w.replace('$PWD/build', build).replace('external:build/', f'external:{build}/'))
    if any(w.endswith('.fio') and not os.path.exists(w) for w in words):
        return  # a job file the reader writes (old.fio, new.fio)
    run = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        fail(where, f"fio does not parse it: {(run.stderr or run.stdout).strip().splitlines()[-1:]}")


def check_command(where, words, scratch):
    while words and (words[0] in ('sudo', 'env') or re.fullmatch(r'[A-Za-z_]+=.*', words[0])):
        words = words[1:]
    if not words:
        return
    program, args = words[0], words[1:]
    if program.startswith('scripts/'):
        path = os.path.join(source, program)
        if not os.access(path, os.X_OK):
            fail(where, f'{program} is not an executable file of the checkout')
            return
        name = os.path.basename(program)
        if name in WRAPPERS:
            check_e4mext_like(where, os.path.join(build, 'e4mext'), [WRAPPERS[name], *args], scratch)
        elif name in ('setup', 'test'):
            options = {'setup': {'--no-build', '--dry-run'}, 'test': {'--no-gate'}}[name]
            unknown = [a for a in args if a not in options]
            if unknown:
                fail(where, f'{program} has no option {" ".join(unknown)}')
        return
    if program.startswith('build/') or program in ('e4mext', 'e4mext-report', 'e4mext-vm'):
        path = os.path.join(build, program[len('build/'):]) if program.startswith('build/') else None
        if path is None:
            path = {'e4mext': 'e4mext', 'e4mext-report': 'runner/e4mext-report', 'e4mext-vm': 'runner/e4mext-vm'}[program]
            path = os.path.join(build, path)
        if not os.access(path, os.X_OK):
            fail(where, f'{program}: no such program in the build ({path})')
            return
        base = os.path.basename(path)
        if base in ('e4mext', 'e4mext-report', 'e4mext-vm'):
            check_e4mext_like(where, path, args, scratch)
        return
    if program == 'fio':
        check_fio(where, args)
        return
    if shutil.which(program) is None and not program.startswith('./'):
        fail(where, f"'{program}' is not installed (on PATH)")


def check_bench_table(page):
    """doc/bench.md's '## Options and defaults' table against e4mext bench --help, both ways."""
    documented, section = set(), False
    with open(page, encoding='utf-8') as f:
        for line in f:
            if line.startswith('## '):
                section = line.strip() == '## Options and defaults'
            elif section and line.startswith('| `'):
                documented.update(re.findall(r'`(--[a-z][\w-]*)', line.split('|')[1]))
    listed = {o for o in help_options(os.path.join(build, 'e4mext'), ['bench']) or () if o.startswith('--')}
    listed.discard('--help')
    missing, extra = sorted(listed - documented), sorted(documented - listed)
    if not documented:
        fail(page, "no '## Options and defaults' table")
    if missing:
        fail(page, f"bench options not in its table: {' '.join(missing)}")
    if extra:
        fail(page, f"options in its table that 'e4mext bench --help' does not list: {' '.join(extra)}")
    print(f'checked: {os.path.relpath(page, source)} options table ({len(documented)} options)')


with tempfile.TemporaryDirectory(prefix='e4mext-doc-commands.') as scratch:
    for name in ('results', 'jobs', 'scripts'):
        os.symlink(os.path.join(source, name), os.path.join(scratch, name))
    os.symlink(build, os.path.join(scratch, 'build'))
    for page in pages:
        rel = os.path.relpath(page, source)
        for line_number, text in sh_blocks(page):
            try:
                commands = list(simple_commands(text))
            except ValueError as error:
                fail(f'{rel}:{line_number}', f'not a shell command line ({error})')
                continue
            for words in commands:
                checked += 1
                before = len(failures)
                check_command(f'{rel}:{line_number}', words, scratch)
                if len(failures) == before:
                    print(f'ok   {rel}:{line_number}: {shlex.join(words)}')
        if os.path.basename(page) == 'bench.md':
            check_bench_table(page)

print(f'{checked} commands in {len(pages)} pages; {len(failures)} failed')
sys.exit(1 if failures else 0)
