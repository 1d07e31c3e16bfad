"""A one-node SLURM cluster in a temporary directory, for the tests of the SLURM profile.

Debian's `slurm-wlm` and `munge` packages, no accounting daemon (slurmdbd): the setup of many small
clusters, and the one on which the executor plugin's default status command (sacct) sees nothing. The
daemons run in the foreground as children of this process, each with its own state, spool, pid and log
files under `root` and with ports chosen free, so that nothing is shared with a SLURM installation the
machine may have: munged as the munge user, slurmctld (started with -c, a clean state) and slurmd as
root. `stop()` ends them by their PIDs.

`SLURM_CONF` in `cluster.env()` points every SLURM client (sbatch, squeue, scontrol) at this cluster.
Inside a job, the executor plugin's job step runs `srun` with every SLURM_* variable removed, SLURM_CONF
included, so that srun would look for /etc/slurm/slurm.conf (where a real cluster keeps it, or it runs
configless): `cluster.env()` also puts first on the PATH an `srun` that sets SLURM_CONF back.

Run it by hand to try the workflow on it:
    python tests/slurm_cluster.py   # prints the SLURM_CONF to export, stops on Ctrl-C
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "srun", "squeue", "sinfo", "scontrol", "scancel")
MUNGE_USER = "munge"
# The controller keeps a finished job visible to squeue this long. The executor plugin trusts squeue
# only when MinJobAge is at least three times its first status-check delay (3 x 40 s by default).
MIN_JOB_AGE = 600


def missing_requirements() -> str | None:
    """Why a cluster cannot be started here (None when it can)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "starting slurmd and munged needs root"
    absent = [name for name in (*DAEMONS, *CLIENTS) if shutil.which(name, path=_sbin_path()) is None]
    if absent:
        return f"SLURM is not installed (missing {', '.join(absent)}; Debian: apt-get install slurm-wlm munge)"
    try:
        pwd.getpwnam(MUNGE_USER)
    except KeyError:
        return f"there is no '{MUNGE_USER}' user (it comes with the munge package)"
    return None


def _sbin_path() -> str:
    """PATH with the sbin directories, where Debian puts the daemons."""
    return os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin", "/sbin"])


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports nobody listens on now (the kernel's choice, so unlikely to clash)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:  # all bound at once, so the kernel cannot hand out one port twice
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def node_description() -> str:
    """This machine as slurmd sees it: `NodeName=... CPUs=... RealMemory=...` (slurmd -C, first line)."""
    found = subprocess.run([_which("slurmd"), "-C"], capture_output=True, text=True, check=True)
    return found.stdout.splitlines()[0].strip()


def _which(name: str) -> str:
    path = shutil.which(name, path=_sbin_path())
    if path is None:
        raise FileNotFoundError(name)
    return path


class OneNodeCluster:
    """munged, slurmctld and slurmd for one node (this machine), configured and kept under `root`."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.conf = self.root / "slurm.conf"
        self.processes: dict[str, subprocess.Popen] = {}
        self.node = node_description().split()[0].split("=", 1)[1]

    def env(self) -> dict[str, str]:
        """The environment in which SLURM's clients talk to this cluster."""
        path = os.pathsep.join([str(self.root / "bin"), os.environ.get("PATH", "")])
        return {**os.environ, "SLURM_CONF": str(self.conf), "PATH": path}

    def start(self, timeout: float = 60) -> None:
        """Write the configuration, start the three daemons and wait until the node is idle."""
        try:
            self._start_munged()
            self._write_slurm_conf()
            self._write_srun()
            for daemon in ("slurmctld", "slurmd"):
                (self.root / daemon).mkdir(mode=0o755)
            self._spawn("slurmctld", [_which("slurmctld"), "-D", "-c", "-f", str(self.conf)])
            self._spawn("slurmd", [_which("slurmd"), "-D", "-f", str(self.conf)])
            self._wait_until_idle(timeout)
        except BaseException:
            self.stop()
            raise

    def _start_munged(self) -> None:
        # munged refuses a key or socket directory that others could write, and a key it does not
        # own: a directory of its own, owned by the munge user.
        munge = pwd.getpwnam(MUNGE_USER)
        self.root.chmod(0o755)  # so that the munge user can reach its directory
        directory = self.root / "munge"
        directory.mkdir(mode=0o755)  # clients must reach the socket
        key = directory / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        for path in (directory, key):
            os.chown(path, munge.pw_uid, munge.pw_gid)
        self.munge_socket = directory / "munge.socket"
        self._spawn("munged", [
            _which("munged"), "--foreground", f"--key-file={key}", f"--socket={self.munge_socket}",
            f"--pid-file={directory / 'munged.pid'}", f"--log-file={directory / 'munged.log'}",
            f"--seed-file={directory / 'munged.seed'}",
        ], user=munge.pw_uid, group=munge.pw_gid)
        deadline = time.monotonic() + 10
        while not self.munge_socket.exists():
            self._fail_if_ended("munged")
            if time.monotonic() > deadline:
                raise RuntimeError(f"munged did not create {self.munge_socket}:\n{self.logs()}")
            time.sleep(0.05)

    def _write_slurm_conf(self) -> None:
        ctld, slurmd = self.root / "slurmctld", self.root / "slurmd"
        ctld_port, slurmd_port = free_ports(2)
        settings = {
            "ClusterName": "spiralbench",
            "SlurmctldHost": f"{self.node}(127.0.0.1)",
            "SlurmctldPort": ctld_port,
            "SlurmdPort": slurmd_port,
            "SlurmUser": "root",
            "SlurmdUser": "root",
            "AuthType": "auth/munge",
            "AuthInfo": f"socket={self.munge_socket}",
            "StateSaveLocation": ctld / "state",
            "SlurmctldPidFile": ctld / "slurmctld.pid",
            "SlurmctldLogFile": ctld / "slurmctld.log",
            "SlurmdSpoolDir": slurmd / "spool",
            "SlurmdPidFile": slurmd / "slurmd.pid",
            "SlurmdLogFile": slurmd / "slurmd.log",
            # No cgroups in a container, and no accounting daemon: the setup under test.
            "ProctrackType": "proctrack/linuxproc",
            "TaskPlugin": "task/none",
            "JobAcctGatherType": "jobacct_gather/none",
            "AccountingStorageType": "accounting_storage/none",
            "JobCompType": "jobcomp/none",
            "MpiDefault": "none",
            "SwitchType": "switch/none",
            "MinJobAge": MIN_JOB_AGE,
            # Jobs share the node core by core (the default, select/linear, gives each a whole node).
            "SelectType": "select/cons_tres",
            "SelectTypeParameters": "CR_Core",
            "ReturnToService": 2,
            "SlurmctldTimeout": 30,
            "SlurmdTimeout": 30,
        }
        lines = [f"{key}={value}" for key, value in settings.items()]
        lines.append(f"{node_description()} State=UNKNOWN")
        lines.append(f"PartitionName=main Nodes={self.node} Default=YES MaxTime=INFINITE State=UP")
        self.conf.write_text("\n".join(lines) + "\n")

    def _write_srun(self) -> None:
        srun = self.root / "bin" / "srun"
        srun.parent.mkdir()
        srun.write_text(f'#!/bin/sh\nSLURM_CONF={self.conf} exec {_which("srun")} "$@"\n')
        srun.chmod(0o755)

    def _spawn(self, name: str, command: list[str], **user) -> None:
        log = open(self.root / f"{name}.out", "w")
        with log:
            self.processes[name] = subprocess.Popen(
                command, cwd=self.root, env=self.env(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, **user,
            )

    def _fail_if_ended(self, name: str) -> None:
        if self.processes[name].poll() is not None:
            raise RuntimeError(f"{name} ended with status {self.processes[name].returncode}:\n{self.logs()}")

    def _wait_until_idle(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            for name in self.processes:
                self._fail_if_ended(name)
            state = self.run("sinfo", "--noheader", "--nodes", self.node, "--format=%t").stdout.strip()
            if state == "idle":
                return
            time.sleep(0.2)
        raise RuntimeError(f"node {self.node} not idle after {timeout} s (sinfo: {state!r}):\n{self.logs()}")

    def run(self, *command: str) -> subprocess.CompletedProcess:
        """A SLURM client command against this cluster."""
        return subprocess.run([_which(command[0]), *command[1:]], env=self.env(), capture_output=True,
                              text=True, timeout=30)

    def logs(self) -> str:
        """The daemons' own logs, for a failure message."""
        paths = [self.root / "munge" / "munged.log", self.root / "slurmctld" / "slurmctld.log",
                 self.root / "slurmd" / "slurmd.log", *sorted(self.root.glob("*.out"))]
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
                         for path in paths if path.is_file())

    def stop(self) -> None:
        """Cancel every job, then end the daemons by their PIDs (slurmd, slurmctld, munged)."""
        if "slurmctld" in self.processes and self.processes["slurmctld"].poll() is None:
            self._cancel_jobs()
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def _cancel_jobs(self, timeout: float = 30) -> None:
        # A job's processes belong to slurmstepd, which outlives slurmd: cancel jobs while the
        # controller is still there to do it, and wait until none runs.
        try:
            self.run("scancel", "--full", "--user", "root")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if not self.run("squeue", "--noheader", "--states=RUNNING,COMPLETING,PENDING").stdout.strip():
                    return
                time.sleep(0.5)
        except subprocess.TimeoutExpired:
            pass


def main() -> None:
    reason = missing_requirements()
    if reason:
        raise SystemExit(f"cannot start a cluster: {reason}")
    cluster = OneNodeCluster(Path(tempfile.mkdtemp(prefix="spiralbench-slurm-")))
    cluster.start()
    print(f"node {cluster.node} idle; in another shell:\n"
          f"  export SLURM_CONF={cluster.conf} PATH={cluster.root / 'bin'}:$PATH\n"
          f"Ctrl-C (or SIGTERM to {os.getpid()}) stops it.", flush=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)


if __name__ == "__main__":
    main()
