"""Registering works and recordings, and following the operation that carries it out."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, WithJsonSchema, model_validator

from api.openapi import ETHEREUM_ADDRESS
from discovery import vocabulary
from identity.schemas import Email

_ARTIST = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
_PAYEE = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
_SPLIT_EXAMPLE = [{"address": _ARTIST, "share_percent": "70"}, {"address": _PAYEE, "share_percent": "30"}]
# A request as `POST /v1/works/prepare` answers it (on Polygon); the signature is its real one, by `_ARTIST`.
_TYPED_DATA_EXAMPLE = {
    "types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                               {"name": "chainId", "type": "uint256"},
                               {"name": "verifyingContract", "type": "address"}],
              "RegisterWork": [{"name": "controller", "type": "address"}, {"name": "iswc", "type": "bytes12"},
                               {"name": "metadataURI", "type": "string"}, {"name": "recipients", "type": "address[]"},
                               {"name": "allocations", "type": "uint32[]"}, {"name": "nonce", "type": "uint256"},
                               {"name": "deadline", "type": "uint256"}]},
    "primaryType": "RegisterWork",
    "domain": {"name": "HARMONI RightsRegistry", "version": "1", "chainId": 137,
               "verifyingContract": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"},
    "message": {"controller": _ARTIST, "iswc": "0x543033343532343638303100",
                "metadataURI": "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
                "recipients": [_PAYEE, _ARTIST], "allocations": [300000, 700000], "nonce": 0, "deadline": 1795600000}}
_SIGNATURE_EXAMPLE = ("0x6aca13898a769367f3c25c5e2034ed2e682f6fb27aa7aebd3ed3342c8965cb0a"
                      "233998120438676457e8a48c02cb99eefaf64ed2fd105ca076cdf22df5b3839d1c")


GenreSlug = Annotated[str, Field(json_schema_extra={"enum": sorted(vocabulary.GENRE_SLUGS)}),
                      AfterValidator(vocabulary.genre)]
MoodSlug = Annotated[str, Field(json_schema_extra={"enum": sorted(vocabulary.MOOD_SLUGS)}),
                     AfterValidator(vocabulary.mood)]
_GENRES = Field(default_factory=list, max_length=vocabulary.MAX_TAGS,
                description="Genre slugs from `GET /v1/genres` (kept in the metadata document, searchable)")
_MOODS = Field(default_factory=list, max_length=vocabulary.MAX_TAGS,
               description="Mood slugs from `GET /v1/moods` (kept in the metadata document, searchable)")


class Contributor(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=60, examples=["composer", "lyricist", "performer", "producer"])


def _percent_text(value: Any) -> Any:
    """Numbers are read as the decimal they were written as (a float by its shortest repr), strings as they are."""
    if isinstance(value, bool):
        raise ValueError('must be a number of percent or a numeric string, e.g. 70 or "33.3333"')
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # 33.3333 → "33.3333"; a float that lost digits shows them, and is refused for it
    return value


SharePercent = Annotated[str, BeforeValidator(_percent_text), WithJsonSchema(
    {"anyOf": [{"type": "string"}, {"type": "number"}]})]


class PayeeIn(BaseModel):
    address: Annotated[str, Field(json_schema_extra=ETHEREUM_ADDRESS)] | None = Field(
        None, description="Payee wallet address (give this or `email`)")
    email: Email | None = Field(
        None, description="Payee e-mail address, instead of `address`: paid at that account's wallet, or at a "
                          "custodial wallet held for them until they accept the e-mailed invitation")
    share_percent: SharePercent = Field(
        description="Share in percent, a number or a numeric string, at most 4 decimals; all shares sum to 100",
        examples=["33.3333", 70])

    model_config = {"json_schema_extra": {"examples": [
        {"address": _ARTIST, "share_percent": "70"}, {"email": "lee@example.org", "share_percent": "30"}]}}


class WorkIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    iswc: str = Field(max_length=20, description="ISWC, separators allowed (T-034.524.680-1)")
    contributors: list[Contributor] = Field(default_factory=list, max_length=100)
    split: list[PayeeIn] = Field(max_length=250)
    genres: list[GenreSlug] = _GENRES
    moods: list[MoodSlug] = _MOODS
    metadata: dict = Field(default_factory=dict, description="Any further JSON metadata")

    model_config = {"json_schema_extra": {"examples": [{
        "title": "Blue Hour", "iswc": "T-034.524.680-1",
        "contributors": [{"name": "Ada Moreau", "role": "composer"}], "split": _SPLIT_EXAMPLE,
        "genres": ["jazz"], "moods": ["calm"], "metadata": {}}]}}


class RecordingIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    isrc: str = Field(max_length=20, description="ISRC, separators allowed (US-RC1-76-07839)")
    content_hash: str | None = Field(None, pattern=r"^0x[0-9a-fA-F]{64}$",
                                     description="SHA-256 of the master audio (or give `upload_id`)")
    upload_id: uuid.UUID | None = Field(None, description="A ready audio upload of yours: its SHA-256 becomes the "
                                                          "content hash, and the recording streams from it")
    work_ids: list[Annotated[int, Field(strict=True)]] = Field(default_factory=list, max_length=64,
                                                                description="Registered works it embodies")
    contributors: list[Contributor] = Field(default_factory=list, max_length=100)
    split: list[PayeeIn] = Field(max_length=250)
    genres: list[GenreSlug] = _GENRES
    moods: list[MoodSlug] = _MOODS
    release: str | None = Field(None, max_length=300, description="The album or release it appears on")
    year: int | None = Field(None, ge=1000, le=2999, description="Year of first release")
    metadata: dict = Field(default_factory=dict)

    model_config = {"json_schema_extra": {"examples": [{
        "title": "Blue Hour (radio edit)", "isrc": "US-RC1-76-07839", "content_hash": "0x" + "ab" * 32,
        "work_ids": [1], "contributors": [{"name": "Ada Moreau", "role": "performer"}],
        "split": [{"address": _ARTIST, "share_percent": "70"}, {"email": "lee@example.org", "share_percent": "30"}],
        "genres": ["jazz"], "moods": ["calm", "nostalgic"], "release": "Blue Hour", "year": 2026, "metadata": {}}]}}


    @model_validator(mode="after")
    def _one_master(self) -> RecordingIn:
        if (self.content_hash is None) == (self.upload_id is None):
            raise ValueError("give exactly one of content_hash and upload_id")
        return self


class SplitChangeIn(BaseModel):
    split: list[PayeeIn] = Field(max_length=250)

    model_config = {"json_schema_extra": {"examples": [{"split": _SPLIT_EXAMPLE}]}}


class ControllerTransferIn(BaseModel):
    new_controller: str = Field(description="Address that becomes the controller once it accepts",
                                json_schema_extra=ETHEREUM_ADDRESS)

    model_config = {"json_schema_extra": {"examples": [{"new_controller": _ARTIST}]}}


class PreparedRequest(BaseModel):
    typed_data: dict = Field(description="EIP-712 document for the wallet's eth_signTypedData_v4")

    model_config = {"json_schema_extra": {"examples": [{"typed_data": _TYPED_DATA_EXAMPLE}]}}


class SignedRequestIn(BaseModel):
    typed_data: dict = Field(description="The document returned by a `.../prepare` call, as signed")
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$", description="65-byte ECDSA signature")

    model_config = {"json_schema_extra": {"examples": [
        {"typed_data": _TYPED_DATA_EXAMPLE, "signature": _SIGNATURE_EXAMPLE}]}}


class OperationOut(BaseModel):
    id: uuid.UUID
    kind: str
    status: Literal["pending", "submitted", "included", "confirmed", "failed"] = Field(
        description="`included`: mined, not yet final; `confirmed`: final and mirrored (its effects are readable)")
    tx_hash: str | None = None
    block_number: int | None = None
    error: str | None = Field(None, description="Decoded custom error of a failed operation")
    error_args: dict | None = None
    asset_id: int | None = Field(None, description="The asset a change or arbiter action names; for a "
                                                   "registration, set once the indexer has mirrored it")
    metadata_uri: str | None = None

    model_config = {"json_schema_extra": {"examples": [{
        "id": "5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11", "kind": "register_work", "status": "confirmed",
        "tx_hash": "0xe726f95a6a8376fb11e3e6064d2ebb938084a405f2b38a29a3337a46211a32a9", "block_number": 1204,
        "error": None, "error_args": None, "asset_id": 7,
        "metadata_uri": "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"}]}}
