"""Paint first: the window is built from Qt and the data dir's path alone; the database opens
after its first paint, and the first rows paint before the crypto and the rest load.

The details pane and the docks wait for ``build_panes`` (app.py calls it after the first paint).

The crypto (keccak's cffi set-up), the client (websockets), the wizard's rules and the QR
encoder load after the first paint; an import added to a module the window is built from
would bring them back in front of it. Run in a fresh interpreter, as the app starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "nitro_desktop.protocol.crypto",
    "nitro_desktop.protocol.frames",
    "nitro_desktop.client",
    "nitro_desktop.flows",
    "nitro_desktop.wallet",
    "Crypto",
    "cffi",
    "websockets",
    "segno",
)

# Loaded by the database, which opens after the window has painted.
DATABASE = ("nitro_desktop.store.db", "sqlite3")
# Not needed for the first rows either: the records' dataclasses (the banner's notice too) and
# the write path's parsers.
WRITING = ("nitro_desktop.store.records", "nitro_desktop.store.tables", "json", "decimal", "dataclasses")

# Opens both scripts below: records the Python enums PySide6 builds, by name (the Qt
# namespace's "Key" is one of ~100), in ``made``.
RECORD_ENUMS = """
import enum, sys
made = []
_create = enum.EnumType._create_
def _record(cls, name, *args, **kwargs):
    made.append(name)
    return _create(cls, name, *args, **kwargs)
enum.EnumType._create_ = _record
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
"""

SCRIPT = (
    RECORD_ENUMS
    + """
from nitro_desktop.store.paths import default_data_dir
from nitro_desktop.ui.main_window import MainWindow
from nitro_desktop.ui.theme import apply_theme

app = QApplication([])
data_dir = default_data_dir(sys.argv[1])
settings = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)
apply_theme(app, "system")
window = MainWindow(None, settings)
window.show()
app.processEvents()
assert window.table._painted
print(sorted(m for m in sys.argv[2:] if m in sys.modules))
from nitro_desktop.store import Store
store = Store.open(data_dir)
window.show_store(store)
app.processEvents()
assert window.table._rows_painted == (window.model.rowCount() > 0)
print(sorted(m for m in sys.argv[2:] if m in sys.modules))
# The Qt namespace's Key, or QWizard's buttons (typing Qt's own viewport searches every QWidget subclass).
built = "Qt namespace built" if "Key" in made else "widget enums built" if "WizardButton" in made else ""
print(built or "no Qt namespace")
from PySide6.QtWidgets import QDockWidget
docks = lambda: sorted(d.objectName() for d in window.findChildren(QDockWidget))
print(docks(), window.splitter.widget(1).metaObject().className())
window.build_panes()
print(docks(), window.splitter.widget(1).metaObject().className())
header = window.table.horizontalHeader()
from PySide6.QtCore import Qt
labels = [header.model().headerData(c, Qt.Orientation.Horizontal) for c in range(header.count())]
assert labels == [window.model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)], labels
order = header.sortIndicatorOrder().name
print(labels[header.sortIndicatorSection()], order, window.table.isSortingEnabled())
window.close()
store.close()
"""
)


def _run(data_dir: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data_dir), *DATABASE, *WRITING, *HEAVY],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    return out.stdout.strip().splitlines()[-6:]


def test_the_window_is_painted_before_the_database_opens_and_without_crypto_client_or_flows(
    tmp_path: Path,
) -> None:
    painted, listed, qt, before, after, sorting = _run(tmp_path / "data")
    assert painted == "[]"
    assert listed == str(sorted(DATABASE))
    assert qt == "no Qt namespace"
    assert sorting == "Updated DescendingOrder True"  # sorting comes right after, newest first
    # The details pane and the docks (Balances, Home channels) are built after the first paint.
    assert before == "[] QWidget"
    assert after == "['balances_dock', 'home_channels_dock'] DetailsPane"


def test_the_first_rows_are_painted_without_crypto(tmp_path: Path) -> None:
    # Their participants show in EIP-55: keccak's cffi set-up (~150 ms) used to come with them.
    from nitro_desktop.store import AppSessionRecord, Store

    with Store.open(tmp_path / "data") as store:
        store.sessions.save(
            AppSessionRecord(
                app_session_id="0x" + "ab" * 32,
                endpoint="Local sandbox",
                account="0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                protocol="NitroRPC/0.2",
                application="",
                definition_json='{"participants":["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"]}',
                allocations_json="[]",
                status="open",
                version=1,
                created_at=1.0,
                updated_at=1.0,
            )
        )
    painted, listed, qt, _before, _after, sorting = _run(tmp_path / "data")
    assert painted == "[]"
    assert listed == str(sorted(DATABASE))  # and nothing of WRITING or HEAVY
    # The rows painted without Qt's ~100 namespace enums (tens of ms): roles are ints, the
    # header's labels come from a C++ model.
    assert qt == "no Qt namespace"
    assert sorting == "Updated DescendingOrder True"


def test_the_panes_built_after_the_first_paint_do_not_load_web3() -> None:
    # web3 and eth-abi take over a second to import: the Home channels pane needs only the
    # chain's records and texts, so the window stays responsive right after its first paint.
    script = (
        "import sys, nitro_desktop.ui.window_panes, nitro_desktop.chain as c\n"
        "print(sorted(m for m in ('web3', 'eth_abi', 'eth_account') if m in sys.modules))\n"
        "assert c.ChainClient.__name__ == 'ChainClient' and callable(c.hub_events)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


def test_the_shortcuts_are_the_ones_setshortcut_gave(qapp: object, tmp_path: Path) -> None:
    # Set through setShortcuts (whose overloads need no Qt enums): still exactly one binding each,
    # the first of the platform's standard keys.
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QKeySequence

    from nitro_desktop.ui.main_window import MainWindow

    window = MainWindow(None, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window.build_panes()  # the shortcuts are set after the first paint, with the panes
    std = QKeySequence.StandardKey
    expected = {
        window.act_new: QKeySequence(std.New),
        window.act_refresh: QKeySequence(std.Refresh),
        window.act_open_request: QKeySequence(std.Open),
        window.act_copy: QKeySequence(std.Copy),
        window.act_quit: QKeySequence(std.Quit),
        window.act_submit: QKeySequence("Ctrl+U"),
        window.act_close: QKeySequence("Ctrl+Shift+W"),
        window.act_about: QKeySequence(),
    }
    for action, key in expected.items():
        assert action.shortcuts() == ([key] if not key.isEmpty() else []), action.objectName()
    window.deleteLater()


ENUMS = (
    RECORD_ENUMS
    + """
from nitro_desktop.store import AppSessionRecord, Store
from nitro_desktop.ui.main_window import MainWindow
from nitro_desktop.ui.theme import apply_theme
from pathlib import Path
app = QApplication([])
apply_theme(app, "system")
window = MainWindow(None, QSettings(sys.argv[1] + "/settings.ini", QSettings.Format.IniFormat))
window.show()
app.processEvents()
store = Store.open(Path(sys.argv[1]))
window.show_store(store, count_later=True)
app.processEvents()
assert window.table._painted
print(sorted(n for n in ("StandardKey", "SequenceMatch", "SequenceFormat") if n in made))
print("ThemeIcon" in made)
window.build_panes()
print(sorted(n for n in ("StandardKey", "SequenceMatch", "SequenceFormat") if n in made))
window.close()
store.close()
"""
)


def test_the_key_sequence_enums_wait_for_the_first_paint(tmp_path: Path) -> None:
    # No key can be pressed before the first frame: QKeySequence's enums (StandardKey's ~70
    # names, ~2 ms) are built when the shortcuts are set, with the panes.
    out = subprocess.run(
        [sys.executable, "-c", ENUMS, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    painted, icon_enums, panes = out.stdout.strip().splitlines()[-3:]
    assert painted == "[]"
    assert panes == "['SequenceFormat', 'SequenceMatch', 'StandardKey']"
    # Nor QIcon's (ThemeIcon's ~150 names): the menu actions are made without choosing among
    # QAction's constructors that take an icon.
    assert icon_enums == "False"


def test_menu_actions_are_the_ones_qaction_text_parent_makes(qapp: object, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QAction

    from nitro_desktop.ui.main_window import MainWindow
    from nitro_desktop.ui.window_toolbar import make_action

    def seen(a: QAction) -> tuple[object, ...]:
        return (a.text(), a.iconText(), a.toolTip(), a.statusTip(), a.isEnabled(), a.icon().isNull())

    window = MainWindow(None, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    texts = [a.text() for a in window.findChildren(QAction) if a.text()]
    assert "&New session…" in texts and "&Quit" in texts
    for text in texts:
        made = make_action(window, text, lambda: None)
        assert seen(made) == seen(QAction(text, window)), text
        assert made.parent() is window
    window.deleteLater()
