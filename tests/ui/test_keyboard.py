"""The wizard works from the keyboard alone: each page starts with its first field focused,
typing fills it, Return moves on (the offscreen platform has no active window, so key events
go straight to the focused widget, as the window system would send them)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget, QWizard
from pytestqt.qtbot import QtBot

from nitro_desktop.flows import CreateSessionFlow, SubmitResult
from nitro_desktop.ui.wizard import CreateSessionWizard

ME = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
BOB = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


async def never_sent(flow: CreateSessionFlow) -> SubmitResult:
    raise AssertionError("this test stops at the review page")


def focused(wizard: QWizard) -> QWidget:
    widget = wizard.focusWidget()
    assert widget is not None
    return widget


def test_wizard_to_review_with_the_keyboard_only(qtbot: QtBot) -> None:
    flow = CreateSessionFlow(
        "0.2", local_accounts=[ME], assets={"usdc": 6}, balances={(ME, "usdc"): Decimal(100)}, now_ms=1
    )
    wizard = CreateSessionWizard(flow, never_sent)
    qtbot.addWidget(wizard)
    wizard.show()

    def enter() -> None:
        qtbot.keyClick(focused(wizard), Qt.Key.Key_Return)

    # Application: the first field has focus; the defaults are valid.
    assert focused(wizard).objectName() == "protocol"
    enter()
    assert wizard.currentId() == 1
    # Participants: the table has focus; move to row 2 and type Bob's address.
    table = wizard.pages["participants"].table
    assert focused(wizard) is table
    qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_F2)  # edit the current cell
    editor = QApplication.focusWidget() or table.findChild(QLineEdit)
    qtbot.keyClicks(editor, BOB)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: flow.participants[1].address == BOB)  # the delegate commits queued
    wizard.next()  # Return in a table edits cells; the button has the mnemonic Alt+N
    assert wizard.currentId() == 2
    amount = focused(wizard)
    assert amount is wizard.pages["allocations"]._editors[0][1] or amount.objectName() == "amount_0"
    qtbot.keyClick(amount, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(amount, "12.5")
    assert flow.allocations[0].amount == "12.5"
    enter()
    assert wizard.currentId() == 3
    enter()  # signers: the funding account is checked already
    assert wizard.currentId() == 4
    assert "puts in 12.5 usdc" in wizard.pages["review"].summary.text()
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "&Sign and send"
