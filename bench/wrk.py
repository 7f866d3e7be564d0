"""Run wrk and read its report (requests/sec, the --latency percentiles, errors)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

WRK = "/usr/bin/wrk"
TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


@dataclass(frozen=True)
class WrkOptions:
    threads: int = 2
    connections: int = 32
    duration_s: int = 10
    warmup_s: int = 3
    # wrk drops a response slower than its timeout (2 s by default) from the latency figures and
    # counts a socket error instead; a longer one keeps slow pages in the percentiles.
    timeout_s: int = 10

    def argv(self, url: str, seconds: int, headers: dict[str, str], script: Path | None = None) -> list[str]:
        argv = [WRK, f"-t{self.threads}", f"-c{self.connections}", f"-d{seconds}s", "--latency"]
        argv.append(f"--timeout={self.timeout_s}s")
        for name, value in headers.items():
            argv += ["-H", f"{name}: {value}"]
        if script is not None:
            argv += ["-s", str(script)]
        return [*argv, url]


@dataclass(frozen=True)
class WrkResult:
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    bytes_read: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())

    @property
    def bytes_per_request(self) -> float:
        return self.bytes_read / self.requests if self.requests else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "errors": self.errors, "bytes_per_request": round(self.bytes_per_request)}


class WrkFailed(RuntimeError):
    pass


def measure(
    options: WrkOptions, url: str, headers: dict[str, str], script: Path | None = None
) -> tuple[WrkResult, WrkResult | None]:
    """The measured run, and the warm-up run before it (only its errors matter). With
    `script`, wrk runs that Lua script (see rotation_script)."""
    warmup = _run_once(options, url, headers, options.warmup_s, script) if options.warmup_s > 0 else None
    return _run_once(options, url, headers, options.duration_s, script), warmup


def rotation_script(
    paths: list[str], directory: Path, name: str, headers: list[dict[str, str]] | None = None
) -> Path:
    """A wrk Lua script that asks for `paths` in turn, each wrk thread starting at its own
    place in the list, so that the requests spread over them all. Paths must be URL-encoded.
    `headers`, when given, holds the headers of each path's request (a cookie, say)."""
    if not paths:
        raise ValueError("no paths to rotate over")
    quoted = ",\n".join("  " + _lua_string(p) for p in paths)
    # Without per-path headers, nil: wrk then sends its own (the -H ones).
    tables = ",\n".join(
        "  {" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in h.items()) + "}"
        for h in headers or []
    )
    script = directory / f"{name}.lua"
    script.write_text(
        "local paths = {\n" + quoted + "\n}\n"
        "local headers = {\n" + tables + "\n}\n"
        "local started = 0\n"
        "function setup(thread)\n"
        "  thread:set('first', started * 7919)\n"
        "  started = started + 1\n"
        "end\n"
        "local i = nil\n"
        "function request()\n"
        "  if i == nil then i = first or 0 end\n"
        "  i = i + 1\n"
        "  local at = (i % #paths) + 1\n"
        "  return wrk.format('GET', paths[at], headers[at])\n"
        "end\n"
    )
    return script


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _run_once(
    options: WrkOptions, url: str, headers: dict[str, str], seconds: int, script: Path | None = None
) -> WrkResult:
    argv = options.argv(url, seconds, headers, script)
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=seconds + options.timeout_s + 30, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise WrkFailed(f"wrk did not finish within {seconds + options.timeout_s + 30} s: {url}") from exc
    if done.returncode != 0:
        raise WrkFailed(f"wrk exited with {done.returncode}: {done.stderr.strip() or done.stdout.strip()}")
    return parse(done.stdout)


def parse(report: str) -> WrkResult:
    """wrk's text report; the error lines appear only when something went wrong."""
    total = re.search(r"^\s*(\d+) requests in [\d.]+\w+, ([\d.]+)([KMGT]?B) read", report, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", report, re.M)
    if total is None or rate is None:
        raise WrkFailed(f"could not read wrk's report:\n{report}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    kinds = ("connect", "read", "write", "timeout")
    return WrkResult(
        requests=int(total.group(1)),
        requests_per_s=float(rate.group(1)),
        p50_ms=_percentile(report, "50"),
        p99_ms=_percentile(report, "99"),
        bytes_read=round(float(total.group(2)) * SIZE_UNITS[total.group(3)]),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors={kind: int(sockets.group(i)) if sockets else 0 for i, kind in enumerate(kinds, 1)},
    )


def _percentile(report: str, percent: str) -> float:
    found = re.search(rf"^\s+{percent}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", report, re.M)
    if found is None:
        raise WrkFailed(f"no {percent}% line in wrk's report (was --latency given?):\n{report}")
    return float(found.group(1)) * TIME_UNITS[found.group(2)]
