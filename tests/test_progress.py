"""The one progress display: its line with hand-worked ETAs, its pace, quiet off a terminal."""

from __future__ import annotations

import io
import os
import pty
import subprocess

from loyaltysim.experiment.progress import Progress, clock_text, progress_line


def test_the_line_of_a_run():
    # 12 of 20 done in 30 s: 2.5 s each, 8 left -> 20 s.
    line = progress_line("baseline", 12, 20, 30.0, unit="replications", note="base #11")
    assert line == "baseline  12/20 replications  60%  0:30 elapsed  ETA 0:20  (base #11)"


def test_work_found_done_does_not_count_as_speed():
    # Resumed with 10 done; 2 more in 30 s: 15 s each, 8 left -> 120 s.
    line = progress_line("x", 12, 20, 30.0, unit="runs", initial=10)
    assert line == "x  12/20 runs  60%  0:30 elapsed  ETA 2:00"


def test_no_eta_before_the_first_item_and_none_at_the_end():
    assert progress_line("x", 3, 20, 5.0, unit="runs", initial=3).endswith("ETA ?")
    assert progress_line("x", 20, 20, 65.0, unit="runs") == "x  20/20 runs  100%  1:05 elapsed"


def test_an_upper_bound_gives_a_bound_on_the_eta():
    # 5 evaluations in 10 s, at most 55 more at 2 s each -> at most 110 s.
    line = progress_line("cal", 5, 60, 10.0, unit="evaluations", at_most=True)
    assert line == "cal  5/≤60 evaluations  0:10 elapsed  ETA ≤1:50"
    assert progress_line("cal", 62, 60, 10.0, unit="evaluations", at_most=True) == (
        "cal  62/≤62 evaluations  0:10 elapsed"
    )


def test_work_of_unknown_size_shows_the_elapsed_time():
    assert progress_line("report of r", 0, None, 3.4) == "report of r  0:03 elapsed"


def test_clock_text():
    assert [clock_text(s) for s in (0, 59.6, 75, 3725)] == ["0:00", "1:00", "1:15", "1:02:05"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_redraws_at_most_twice_a_second_and_ends_the_line():
    stream, clock = Terminal(), Clock()
    with Progress("x", 4, unit="runs", stream=stream, clock=clock) as bar:
        clock.now += 0.2
        bar.update()  # drawn 0.2 s after the first draw: skipped
        clock.now += 0.4
        bar.update()  # 0.6 s after: drawn
        clock.now += 0.1
        bar.update()  # 0.1 s after: skipped
        clock.now += 0.1
        bar.update()  # the last item: always drawn
    frames = stream.getvalue().split("\r")[1:]
    assert [f.split("\x1b[K")[0] for f in frames] == [
        "x  0/4 runs  0%  0:00 elapsed  ETA ?",
        "x  2/4 runs  50%  0:01 elapsed  ETA 0:01",
        "x  4/4 runs  100%  0:01 elapsed",
        "x  4/4 runs  100%  0:01 elapsed",  # close() draws the final state, then a newline
    ]
    assert stream.getvalue().endswith("\n")


def test_quiet_when_not_on_a_terminal_or_disabled():
    for stream, enabled in ((io.StringIO(), True), (Terminal(), False)):
        with Progress("x", 2, stream=stream, enabled=enabled) as bar:
            bar.update(2)
        assert stream.getvalue() == ""


def test_run_shows_the_display_on_a_terminal_only(cli, tmp_path, write_scenario):
    file = write_scenario(tmp_path / "small.toml")
    piped = cli.run("run", file, "--out", tmp_path / "piped", "--workers", "1")
    assert piped.returncode == 0, piped.stderr
    assert "elapsed" not in piped.stderr

    leader, follower = pty.openpty()
    with subprocess.Popen(
        cli.command("run", file, "--out", tmp_path / "tty", "--workers", "1"),
        env=cli.env,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    ) as process:
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait() == 0
    os.close(leader)
    text = seen.decode()
    assert "small  4/4 replications  100%" in text
    assert "ETA" in text
