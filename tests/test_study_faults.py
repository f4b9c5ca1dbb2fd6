"""Fault injection on study outputs (issue 21): full disks, read-only file systems, missing
directories and what killed runs leave behind. Every failure exits 1 with one line naming
the user's path (not a temporary) and the reason, never a crash; a working file stays
resumable.

  1. a study that cannot fit: refused before anything is written ("No space left on
     device", the size needed and free);
  2. a disk that fills during the final compressed copy: exit 1 (HDF5 1.10's exit-time
     cleanup used to crash here), the working file kept with status "running"; once there
     is space, --resume finishes it with the values of an unhindered run;
  3. a read-only file system: "Read-only file system", naming the path given; a missing
     directory is created, one that is a regular file is refused ("is not a directory");
  4. temporaries of killed runs (OUT.new.HOST.PID with PID gone) are removed by the next run
     writing OUT; a live process's are left alone.

Mounting tmpfs needs root: without it 1-3 are skipped with a message (exit 77 when nothing
could run). usage: test_study_faults.py ILNET MODELS_DIR WORKDIR"""
import os
import signal
import socket
import subprocess
import sys
import time

import h5py
import numpy as np

from ilnet_testlib import Checks, Scratch, attr, excerpt, run

ilnet, models = sys.argv[1:3]
work = Scratch(sys.argv[3], fresh=True)
check = Checks()
model = os.path.abspath(os.path.join(models, "il2_il7.bngl"))


def config(n, name):
    return work.write(name, f"""model: {model}
preset: human_thelper
simulation: {{t_end: 60, n_steps: 60}}
output: {{species: true}}
experiments:
  - name: s
    type: sweep
    parameters:
      - {{name: R_A, logspace: {{min: 10, max: 1e5, n: {n}}}}}
""")


def one_line_error(r, what, *needles):
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    check(r.returncode == 1, f"{what}: exit {r.returncode}, want 1 ({excerpt(r.stderr)})")
    check(len(lines) == 1, f"{what}: {len(lines)} stderr lines: {excerpt(r.stderr)}")
    for n in needles:
        check(n in r.stderr, f"{what}: {n!r} not in {excerpt(r.stderr)}")
    check(".new." not in r.stderr and ".final." not in r.stderr,
          f"{what}: the message names a temporary: {excerpt(r.stderr)}")


def mount_tmpfs(path, opts):
    os.makedirs(path, exist_ok=True)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", path],
                       capture_output=True, text=True)
    return p.returncode == 0


def umount(path):
    subprocess.run(["umount", path], capture_output=True)


mounted_any = False
# ------------------------------------------------------------------ 1. does not fit
small = work.path("small_fs")
if mount_tmpfs(small, "size=2m"):
    mounted_any = True
    try:
        out = os.path.join(small, "out.h5")
        r = run([ilnet, "run", config(200, "c200.yaml"), "-o", out, "-q"])
        one_line_error(r, "study larger than the disk", out, "No space left on device", "MB")
        check(not os.listdir(small), f"files left on the full disk: {os.listdir(small)}")
    finally:
        umount(small)
else:
    print("SKIP 1-3: cannot mount tmpfs here (needs root); disk-full and read-only cases not run")

# ------------------------------------------------------------------ 2. full during finishing
if mounted_any:
    fs = work.path("fill_fs")
    mount_tmpfs(fs, "size=400m")
    try:
        cfg = config(600, "c600.yaml")
        out = os.path.join(fs, "out.h5")
        ref = work.path("ref.h5")
        r = run([ilnet, "run", cfg, "-o", ref, "-q"])
        check.exits(r, 0, "reference run")
        p = subprocess.Popen([ilnet, "run", cfg, "-o", out, "-q", "--threads", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # once the working file is in place, shrink the disk to what it uses: the points
        # still go into preallocated space, the final copy finds no room
        shrunk = False
        while p.poll() is None:
            if os.path.exists(out):
                st = os.statvfs(fs)
                used = (st.f_blocks - st.f_bfree) * st.f_frsize
                shrunk = subprocess.run(["mount", "-o", f"remount,size={used + 65536}", fs],
                                        capture_output=True).returncode == 0
                break
            time.sleep(0.01)
        so, se = p.communicate(timeout=600)
        if not shrunk:
            print("SKIP 2: the run finished before the disk could be shrunk")
        else:
            class R:
                pass
            r = R()
            r.returncode, r.stderr = p.returncode, se
            one_line_error(r, "disk full during the final copy", out, "No space left on device")
            with h5py.File(out, "r") as f:
                check(attr(f, "status") == "running", f"working file status {attr(f, 'status')!r}")
            left = [x for x in os.listdir(fs) if x != "out.h5"]
            check(not left, f"temporaries left on the full disk: {left}")
            subprocess.run(["mount", "-o", "remount,size=400m", fs], capture_output=True)
            r2 = run([ilnet, "run", cfg, "-o", out, "--resume", "-q"])
            check.exits(r2, 0, "--resume once there is space")
            with h5py.File(out, "r") as f, h5py.File(ref, "r") as g:
                check(attr(f, "status") == "complete", f"after resume: {attr(f, 'status')!r}")
                check(np.array_equal(f["s"]["species_amounts"][()], g["s"]["species_amounts"][()]),
                      "resumed file differs from the unhindered run")
    finally:
        umount(fs)

# ------------------------------------------------------------------ 3. read-only, no directory
if mounted_any:
    ro = work.path("ro_fs")
    mount_tmpfs(ro, "size=1m,ro")
    try:
        out = os.path.join(ro, "out.h5")
        r = run([ilnet, "run", config(3, "c3.yaml"), "-o", out, "-q"])
        one_line_error(r, "read-only file system", out, "Read-only file system")
        r = run([ilnet, "simulate", model, "--t-end", "1", "--n-steps", "2", "-o", out])
        one_line_error(r, "simulate onto a read-only file system", out, "Read-only file system")
    finally:
        umount(ro)
# a missing directory is created (issue 16); one that is a regular file is an error
out = work.path("no", "such", "dir", "out.h5")
if os.path.isdir(work.path("no")):
    import shutil
    shutil.rmtree(work.path("no"))
r = run([ilnet, "run", config(3, "c3.yaml"), "-o", out, "-q"])
check(r.returncode == 0 and os.path.isfile(out), f"missing directory: exit {r.returncode}, "
      f"{out} {'written' if os.path.isfile(out) else 'not written'} ({excerpt(r.stderr)})")
blocker = work.write("plainfile", "not a directory\n")
out = os.path.join(blocker, "out.h5")
r = run([ilnet, "run", config(3, "c3.yaml"), "-o", out, "-q"])
one_line_error(r, "a directory that is a file", out, "is not a directory")

# ------------------------------------------------------------------ 4. stale temporaries
host = socket.gethostname()
out = work.path("t.h5")
dead = 4194303  # above any pid_max in use: no such process
sleeper = subprocess.Popen(["sleep", "60"])
stale = [work.write(f"t.h5.new.{host}.{dead}", "x"), work.write(f"t.h5.final.{host}.{dead}", "x"),
         work.write(f"t.h5.tmp.{host}.{dead}", "x")]
live = work.write(f"t.h5.new.{host}.{sleeper.pid}", "x")
other_host = work.write(f"t.h5.new.{host}-elsewhere.{dead}", "x")
r = run([ilnet, "run", config(3, "c3.yaml"), "-o", out, "-q"])
check.exits(r, 0, "run beside stale temporaries")
for f in stale:
    check(not os.path.exists(f), f"stale temporary kept: {os.path.basename(f)}")
check(os.path.exists(live), "a live process's temporary was removed")
check(os.path.exists(other_host), "another host's temporary was removed")
sleeper.send_signal(signal.SIGKILL)
sleeper.wait()

# ------------------------------------------------------------------ 5. one writer per output
# issue 21, data loss 6: two runs with different configs and one output both exited 0, the
# first's results silently replaced; a run on an unfinished file another program holds
# open replaced it. Now the second run is refused at once and the first finishes intact.
out = work.path("shared.h5")
long_cfg = config(3000, "c3000.yaml")
first = subprocess.Popen([ilnet, "run", long_cfg, "-o", out, "-q", "--threads", "1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
while first.poll() is None and not os.path.exists(out + ".lock"):
    time.sleep(0.005)
second = run([ilnet, "run", config(5, "c5.yaml"), "-o", out, "-q"])
fo, fe = first.communicate(timeout=600)
if second.returncode == 0 and first.returncode == 0 and "busy" not in second.stderr:
    check(False, "a second run on the same output was not refused")
else:
    one_line_error(second, "a second run on the same output", out, "busy", f"pid {first.pid}")
check(first.returncode == 0, f"the first run: exit {first.returncode} ({excerpt(fe)})")
with h5py.File(out, "r") as f:
    check(attr(f, "status") == "complete" and f["s"]["status"].shape == (3000,),
          "the first run's results are what the file holds")
check(not os.path.exists(out + ".lock"), "the lock file is removed at the end")

# an unfinished file another program holds open for writing (HDF5 file locking)
with h5py.File(out, "r+") as f:
    f.attrs["status"] = "running"
holder = subprocess.Popen([sys.executable, "-c",
                           "import h5py, sys, time\n"
                           "f = h5py.File(sys.argv[1], 'r+')\n"
                           "print('open', flush=True)\n"
                           "time.sleep(60)\n", out], stdout=subprocess.PIPE, text=True)
holder.stdout.readline()
before = os.stat(out).st_mtime_ns, os.stat(out).st_ino
r = run([ilnet, "run", config(5, "c5.yaml"), "-o", out, "-q"])
holder.kill()
holder.wait()
if r.returncode == 0:
    check(False, "a run replaced an unfinished file another program had open")
else:
    one_line_error(r, "an unfinished file another program has open", out, "busy")
check((os.stat(out).st_mtime_ns, os.stat(out).st_ino) == before, "that file was changed")

# ------------------------------------------------------------------ 6. sizes told, blow-ups refused
# issue 21, blow-up 9: a 10^7-point grid passed --check and then preallocated 18 GB; an LHS
# of 10^8 took 99 s and 2.4 GB to validate. The size is known from the config alone.
huge = work.write("huge.yaml", f"""model: {model}
simulation: {{t_end: 60, n_steps: 60}}
experiments:
  - name: grid
    type: sweep
    parameters:
      - {{name: R_A, logspace: {{min: 10, max: 1e5, n: 3200}}}}
      - {{name: R_B, logspace: {{min: 10, max: 1e5, n: 3200}}}}
  - name: lhs
    type: sweep
    design: lhs
    n: 100000000
    parameters:
      - {{name: R_A, min: 10, max: 1e5}}
""")
for extra in ([], ["--check"]):
    r = run([ilnet, "run", huge, "-o", work.path("huge.h5"), "-q"] + extra)
    one_line_error(r, f"a 1.1e8-point study {' '.join(extra)}", "huge.yaml:", "over the limit of 10 GB",
                   "--max-size")
    check(r.seconds < 10, f"refusing it took {r.seconds:.1f} s")
    check(not os.path.exists(work.path("huge.h5")), "a refused study wrote a file")
r = run([ilnet, "run", config(3, "c3.yaml"), "--check"])
check(r.returncode == 0 and "the study file takes about" in r.stdout and " MB" in r.stdout,
      f"--check tells the size: {excerpt(r.stdout)}")
r = run([ilnet, "run", config(3, "c3.yaml"), "--check", "--max-size", "0.000001"])
one_line_error(r, "a small study over a tiny limit", "over the limit")

# ------------------------------------------------------------------ 7. kill -9 anywhere
# Killed at moments spread over a whole run -- while the working file is created, while
# points run, while the final file is written -- the output is never half a file: absent,
# or a readable study; the next run resumes, removes what the killed ones left and ends
# equal to an unhindered run.
cfg = config(400, "c400.yaml")
ref = work.path("ref400.h5")
r = run([ilnet, "run", cfg, "-o", ref, "-q", "--threads", "1"])
check.exits(r, 0, "reference run")
t_full = r.seconds
out = work.path("killed.h5")
kills = 0
for j in range(12):
    args = [ilnet, "run", cfg, "-o", out, "-q", "--threads", "1"]
    if os.path.exists(out):
        args.append("--resume")
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(t_full * (j + 0.5) / 12)
    if p.poll() is None:
        p.kill()
        kills += 1
    p.communicate()
    if os.path.exists(out):
        try:
            with h5py.File(out, "r") as f:
                st = attr(f, "status")
            check(st in ("running", "complete"), f"kill {j}: status {st!r}")
        except OSError as e:
            check(False, f"kill {j}: the output is not a readable file: {e}")
    if os.path.exists(out):
        with h5py.File(out, "r") as f:
            if attr(f, "status") == "complete":
                break
args = [ilnet, "run", cfg, "-o", out, "-q"] + (["--resume"] if os.path.exists(out) else [])
r = run(args)
check.exits(r, 0, "the run after the kills")
with h5py.File(out, "r") as f, h5py.File(ref, "r") as g:
    check(attr(f, "status") == "complete", f"after the kills: {attr(f, 'status')!r}")
    check(np.array_equal(f["s"]["species_amounts"][()], g["s"]["species_amounts"][()]),
          "killed and resumed differs from the unhindered run")
left = [x for x in os.listdir(work.dir) if x.startswith("killed.h5.")]
check(not left, f"what the kills left is still there: {left}")
print(f"kill -9: {kills} kills over the run, then resumed to equal the unhindered run")

if not mounted_any and not check.failures:
    print("study faults: tmpfs cases skipped (no mount); the others passed")
    sys.exit(77)
check.finish("study faults")
