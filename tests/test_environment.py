"""The conda environment file and the pip lock must pin the same packages."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_environment  # noqa: E402


def test_environment_yml_agrees_with_lock():
    pins = make_environment.lock_versions((ROOT / "requirements.lock").read_text())
    env = (ROOT / "environment.yml").read_text()
    listed = dict(re.findall(r"^\s+- ([a-z0-9\-]+)==(\S+)$", env, re.M))
    assert listed, "environment.yml lists no pinned packages"
    assert set(listed) == set(make_environment.direct_dependencies())
    for name, version in listed.items():
        assert pins[name] == version, f"{name}: environment.yml {version}, lock {pins[name]}"


def test_lock_has_hashes_for_every_pin():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [b for b in blocks if re.match(r"^[A-Za-z0-9_.\-]+==", b)]
    assert pinned and all("--hash=sha256:" in b for b in pinned)


def test_cli_entry_point_version_and_help():
    exe = Path(sys.executable).with_name("berakhlak")
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("berakhlak ")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    assert "usage: berakhlak" in out.stdout
