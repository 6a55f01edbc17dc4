"""The part of the v1 ChannelHub's ABI we use, written from its Solidity source at v1.4.1.

Sources: ``contracts/src/ChannelHub.sol`` (functions, events, errors), ``interfaces/Types.sol``
(``ChannelDefinition``, ``State``, ``Ledger``), ``ChannelEngine.sol`` and ``Utils.sol`` (the
errors of the library the hub delegates to), ``sigValidators/`` and OpenZeppelin's ECDSA,
SafeCast, SafeERC20 and ReentrancyGuard errors, which surface through the hub. Selectors and
topics are computed from the canonical signatures below, so a typo fails the tests rather than
hiding in a hex constant.
"""

from __future__ import annotations

from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError

from nitro_desktop.protocol.crypto import keccak256

LEDGER = "(uint64,address,uint8,uint256,int256,uint256,int256)"
DEFINITION = "(uint32,address,address,uint64,uint256,bytes32)"
STATE = f"(uint64,uint8,bytes32,{LEDGER},{LEDGER},bytes,bytes)"

#: name -> argument types, for the functions we call.
FUNCTIONS: dict[str, tuple[str, ...]] = {
    "createChannel": (DEFINITION, STATE),
    "depositToChannel": ("bytes32", STATE),
    "withdrawFromChannel": ("bytes32", STATE),
    "checkpointChannel": ("bytes32", STATE),
    "challengeChannel": ("bytes32", STATE, "bytes", "uint8"),
    "closeChannel": ("bytes32", STATE),
    "getChannelData": ("bytes32",),
    "getOpenChannels": ("address",),
    "getNodeBalance": ("address",),
    "VERSION": (),
    "NODE": (),
}
#: name -> return types of the views.
RETURNS: dict[str, tuple[str, ...]] = {
    "getChannelData": ("uint8", DEFINITION, STATE, "uint256", "uint256"),
    "getOpenChannels": ("bytes32[]",),
    "getNodeBalance": ("uint256",),
    "VERSION": ("uint8",),
    "NODE": ("address",),
}
#: event name -> (indexed types, data types), in declaration order.
EVENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ChannelCreated": (("bytes32", "address"), (DEFINITION, STATE)),
    "ChannelDeposited": (("bytes32",), (STATE,)),
    "ChannelWithdrawn": (("bytes32",), (STATE,)),
    "ChannelCheckpointed": (("bytes32",), (STATE,)),
    "ChannelChallenged": (("bytes32",), (STATE, "uint64")),
    "ChannelClosed": (("bytes32",), (STATE,)),
}
#: The channel's status enum (``ChannelStatus``).
CHANNEL_STATUS = ("void", "operating", "disputed", "closed", "migrating in", "migrated out")

# error name -> (argument types, what it means for the user).
_ERRORS: dict[str, tuple[tuple[str, ...], str]] = {
    "IncorrectSignature": ((), "a signature on the state does not match the user or the node"),
    "EmptySignature": ((), "the state is missing a signature"),
    "ValidatorNotApproved": ((), "the signature uses a validator the channel does not approve"),
    "ValidatorNotRegistered": (("uint8",), "the signature names a validator that is not registered"),
    "ValidatorNotActive": (("uint8", "uint64"), "the signature's validator is not active yet"),
    "InvalidValidatorId": ((), "the signature names an invalid validator"),
    "ValidatorAlreadyRegistered": (("uint8",), "that validator is already registered"),
    "EmptyChannelId": ((), "the channel id is empty"),
    "InvalidSignerAddress": ((), "the signer address is empty"),
    "InvalidAddress": ((), "an address in the request is empty"),
    "IncorrectAmount": ((), "the amount is not allowed"),
    "IncorrectValue": ((), "the ETH sent with the transaction does not match the deposit"),
    "NativeTransferFailed": (("address", "uint256"), "sending ETH to the recipient failed"),
    "AddressCollision": (("address",), "the user and the node are the same address"),
    "IncorrectChallengeDuration": ((), "the challenge period is outside the hub's limits (1 to 7 days)"),
    "InsufficientBalance": ((), "the balance is too low"),
    "IncorrectStateIntent": ((), "the state's purpose does not fit this operation"),
    "IncorrectChannelStatus": ((), "the channel is not in a state that allows this"),
    "ChallengerVersionTooLow": ((), "the challenge uses an older state than the channel's"),
    "NoChannelIdFoundForEscrow": ((), "no channel belongs to that escrow"),
    "IncorrectChannelId": ((), "the channel id does not match"),
    "IncorrectNode": ((), "the channel names another node than this hub's"),
    "IncorrectMsgSender": ((), "this account may not send that transaction"),
    "IncorrectHomeChainId": ((), "the state's home ledger is for another chain"),
    "IncorrectNonHomeChainId": ((), "the state's escrow ledger is for this chain"),
    "NonHomeStateRequired": ((), "the state needs an escrow ledger"),
    "NonHomeStateMustBeEmpty": ((), "the state must not have an escrow ledger"),
    "IncorrectPreviousStateIntent": ((), "the channel's last state does not allow this step"),
    "IncorrectStateVersion": ((), "the state's version is not newer than the channel's"),
    "ChallengeExpired": ((), "the challenge period is over"),
    "TokenMismatch": ((), "the state's token differs from the channel's"),
    "IncorrectUserAllocation": ((), "the user's allocation is not allowed here"),
    "IncorrectNodeAllocation": ((), "the node's allocation is not allowed here"),
    "IncorrectUserNetFlow": ((), "the user's net flow is wrong"),
    "IncorrectNodeNetFlow": ((), "the node's net flow is wrong"),
    "IncorrectUserNetFlowDelta": ((), "the change in the user's net flow does not fit this operation"),
    "IncorrectNodeNetFlowDelta": ((), "the change in the node's net flow does not fit this operation"),
    "NegativeNetFlowSum": ((), "the net flows add up to less than zero"),
    "IncorrectAllocationSum": ((), "the allocations do not add up to the net flows"),
    "AllocationExceedsLockedFunds": ((), "the allocations exceed the funds locked in the channel"),
    "UserAllocationDeltaMismatch": ((), "the change in the user's allocation does not match"),
    "UserNodeAllocationsMismatch": ((), "the user's and node's allocations do not match"),
    "InsufficientLockedFunds": ((), "the channel does not hold enough funds for this"),
    "LockedFundsConsistencyViolation": ((), "the allocations do not equal the funds the channel holds"),
    "InsufficientNodeBalance": ((), "the node has not deposited enough funds in the hub"),
    "DecimalsExceedMaxPrecision": ((), "the token's decimals are above the hub's limit"),
    "DecimalsMismatch": ((), "the state's token decimals differ from the token's (ETH has 18)"),
    "FailedToFetchDecimals": ((), "the token does not report its decimals"),
    "ReentrancyGuardReentrantCall": ((), "a re-entrant call was refused"),
    "SafeERC20FailedOperation": (("address",), "the token transfer failed (allowance or balance?)"),
    "SafeCastOverflowedIntToUint": (("int256",), "an amount is out of range"),
    "SafeCastOverflowedUintToInt": (("uint256",), "an amount is out of range"),
    "SafeCastOverflowedUintDowncast": (("uint8", "uint256"), "an amount is out of range"),
    "ECDSAInvalidSignature": ((), "a signature on the state is not a valid signature"),
    "ECDSAInvalidSignatureLength": (("uint256",), "a signature on the state has the wrong length"),
    "ECDSAInvalidSignatureS": (("bytes32",), "a signature on the state is malleable (high s)"),
}
_PANICS = {
    0x01: "an internal assertion failed",
    0x11: "an arithmetic overflow or underflow",
    0x12: "a division by zero",
    0x21: "an invalid enum value",
    0x32: "an index out of bounds",
}
MAX_REVERT_BYTES = 4096


def signature_of(name: str, types: tuple[str, ...]) -> str:
    return f"{name}({','.join(types)})"


def selector(name: str, types: tuple[str, ...]) -> bytes:
    return keccak256(signature_of(name, types).encode("ascii"))[:4]


def function_selector(name: str) -> bytes:
    return selector(name, FUNCTIONS[name])


def event_topic(name: str) -> bytes:
    indexed, data = EVENTS[name]  # in each of these events the indexed parameters come first
    return keccak256(signature_of(name, (*indexed, *data)).encode("ascii"))


ERRORS_BY_SELECTOR: dict[bytes, tuple[str, tuple[str, ...], str]] = {
    selector(name, types): (name, types, meaning) for name, (types, meaning) in _ERRORS.items()
}
_ERROR_STRING = selector("Error", ("string",))
_PANIC = selector("Panic", ("uint256",))


def _argument_text(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


def decode_revert(data: bytes) -> tuple[str, str]:
    """``(reason name, sentence)`` for revert data: a hub custom error, ``Error(string)`` or a panic.

    Unknown or malformed data gives a generic sentence; a revert string is shown only as far as
    it is printable and short (the contract is upstream's, but the RPC relaying it is not ours).
    """
    data = data[:MAX_REVERT_BYTES]
    if len(data) < 4:
        return "unknown", "the contract refused it without giving a reason"
    head, body = data[:4], data[4:]
    try:
        if head in ERRORS_BY_SELECTOR:
            name, types, meaning = ERRORS_BY_SELECTOR[head]
            args = abi_decode(list(types), body) if types else ()
            shown = f"{name}({', '.join(_argument_text(a) for a in args)})" if args else name
            return name, f"{meaning} ({shown})"
        if head == _ERROR_STRING:
            (text,) = abi_decode(["string"], body)
            clean = "".join(ch for ch in str(text)[:200] if ch.isprintable())
            return "Error", f"the contract refused it: “{clean}”"
        if head == _PANIC:
            (code,) = abi_decode(["uint256"], body)
            return "Panic", f"the contract stopped on {_PANICS.get(int(code), 'an internal error')}"
    except (DecodingError, ValueError, OverflowError):
        pass
    return "unknown", f"the contract refused it with an unknown error (0x{head.hex()})"


def decode_data(types: tuple[str, ...], data: bytes) -> tuple[Any, ...]:
    return tuple(abi_decode(list(types), data))


def decode_returns(name: str, data: bytes) -> tuple[Any, ...]:
    return tuple(abi_decode(list(RETURNS[name]), data))
