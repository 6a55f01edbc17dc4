"""The key store's signers sign EIP-1559 transactions in-process (chain's ``TxSigner``), and anvil
mines what they sign; the key never shows in a repr, a log or an error."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from eth_account import Account

from nitro_desktop.chain import TxState, create_channel
from nitro_desktop.keys import AccountManager
from tests.chain.helpers import ETH, HOME_DEPOSIT, HomeChannel, client
from tests.chainkit import CHAIN_ID, AnvilHub
from tests.keys.memory_keyring import MemoryKeyring

KEY = "0x" + "5d" * 32
FIELDS = {
    "type": 2,
    "chainId": CHAIN_ID,
    "nonce": 0,
    "to": "0x" + "11" * 20,
    "value": 1,
    "data": b"",
    "gas": 21000,
    "maxFeePerGas": 2 * 10**9,
    "maxPriorityFeePerGas": 10**9,
}


def test_keyring_signer_signs_what_eth_account_signs(manager: AccountManager) -> None:
    record = manager.import_private_key(KEY, "a")
    signer = manager.signer(record.address)
    raw = signer.sign_transaction(dict(FIELDS))
    assert raw == bytes(Account.sign_transaction(dict(FIELDS), KEY).raw_transaction)
    assert Account.recover_transaction(raw) == record.address
    assert signer.unlocked().sign_transaction(dict(FIELDS)) == raw
    assert KEY[2:] not in repr(signer) and KEY[2:] not in repr(signer.unlocked())


def test_a_keyring_entry_for_another_address_never_signs(
    manager: AccountManager, memory_keyring: MemoryKeyring
) -> None:
    record = manager.import_private_key(KEY, "a")
    signer = manager.signer(record.address)
    for service, user in list(memory_keyring.entries):
        memory_keyring.entries[(service, user)] = "0x" + "6e" * 32
    with pytest.raises(Exception, match="does not belong") as refused:
        signer.sign_transaction(dict(FIELDS))
    assert "6e6e" not in str(refused.value)


@pytest.mark.asyncio
async def test_a_keyring_held_key_opens_a_channel_on_anvil(
    manager: AccountManager, chain: AnvilHub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    record = manager.import_private_key(KEY, "a")
    chain.set_balance(record.address, 10 * ETH)
    home = HomeChannel(chain, user_key=KEY)
    call = create_channel(
        home.definition, home.next_state(HOME_DEPOSIT, Decimal(1)), node=chain.node, decimals=18
    )
    rpc = client(chain)
    sent = await rpc.send(await rpc.plan(call, record.address), manager.signer(record.address))
    assert (await rpc.wait(sent)).state is TxState.CONFIRMED
    assert (await rpc.channel_data(home.channel_id)).user == record.address
    assert KEY[2:] not in caplog.text
