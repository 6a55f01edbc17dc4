"""An address as people check it: full EIP-55 text, a copy button and a QR code.

Reusable anywhere an address is shown (Accounts, the Balances header, session
details): ``AddressView(parent)``, then ``set_address(address)``. ``qr=False``
gives the one-line form (text and copy button) for tight places.

The QR code holds the bare EIP-55 address, exactly what the copy button copies,
which every wallet's scanner reads. It is drawn module by module at the
screen's pixel ratio (sharp at 2×) and always dark on white, as scanners need,
whatever the theme.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

QR_BORDER = 4  # modules of white quiet zone around the code, as the QR standard asks
COPIED_MS = 2000


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code of ``text`` (error correction M), quiet zone included, as rows of dark modules."""
    import segno  # only when a code is drawn: segno pulls in urllib and http, not needed to paint

    code = segno.make(text, error="m", micro=False, boost_error=False)
    return [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=QR_BORDER)]


def qr_pixmap(text: str, side: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """A square QR pixmap of at most ``side`` logical pixels, whole device pixels per module."""
    matrix = qr_matrix(text)
    modules = len(matrix)
    scale = max(1, int(side * device_pixel_ratio) // modules)
    image = QImage(modules * scale, modules * scale, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    black = QColor("black")
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.fillRect(x * scale, y * scale, scale, scale, black)
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


class AddressView(QWidget):
    """Full EIP-55 address, *Copy* and (optionally) its QR code."""

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, qr: bool = True, qr_side: int = 148) -> None:
        super().__init__(parent)
        self._address = ""
        self._qr_side = qr_side
        self.qr = QLabel()
        self.qr.setObjectName("address_qr")
        self.qr.setAccessibleName("QR code of the address")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.qr.setVisible(qr)
        self.text = QLabel()
        self.text.setObjectName("address_text")
        self.text.setAccessibleName("Address")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.text.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.copy_button = QPushButton("&Copy address")
        self.copy_button.setObjectName("address_copy")
        self.copy_button.setAccessibleName("Copy address")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy)
        self._reset = QTimer(self)
        self._reset.setSingleShot(True)
        self._reset.setInterval(COPIED_MS)
        self._reset.timeout.connect(lambda: self.copy_button.setText("&Copy address"))

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.qr)
        column = QVBoxLayout()
        self.caption = QLabel()
        self.caption.setObjectName("address_caption")
        self.caption.setVisible(False)
        column.addWidget(self.caption)
        column.addWidget(self.text)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addStretch()
        column.addLayout(row)
        column.addStretch()
        outer.addLayout(column, 1)
        self.set_address(None)

    def address(self) -> str:
        return self._address

    def set_caption(self, text: str) -> None:
        """A line above the address (e.g. the account's label); empty hides it."""
        self.caption.setText(text)
        self.caption.setVisible(bool(text))

    def set_address(self, address: str | None) -> None:
        """Show ``address`` in EIP-55 form (None or "" clears the view)."""
        if address:  # keccak (and its cffi set-up) loads with the first address, not before first paint
            from nitro_desktop.protocol.crypto import to_checksum_address

            address = to_checksum_address(address)
        self._address = address or ""
        self.text.setText(self._address or "No account selected")
        self.text.setToolTip(self._address)
        self.copy_button.setEnabled(bool(self._address))
        self.copy_button.setText("&Copy address")
        if self._address:
            ratio = self.devicePixelRatioF() or 1.0
            pixmap = qr_pixmap(self._address, self._qr_side, ratio)
            self.qr.setPixmap(pixmap)
            self.qr.setFixedSize(pixmap.deviceIndependentSize().toSize())
            self.qr.setToolTip(f"QR code of {self._address}")
        else:
            self.qr.clear()
            self.qr.setFixedSize(QSize(self._qr_side, self._qr_side))
            self.qr.setToolTip("")

    def copy(self) -> None:
        if not self._address:
            return
        QGuiApplication.clipboard().setText(self._address)
        self.copy_button.setText("Copied ✓")
        self._reset.start()
        self.copied.emit(self._address)
