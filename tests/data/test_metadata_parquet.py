"""metadata.parquet (the imagefolder loader's view of a media shard) reads the record lines
with Arrow's JSON reader; it must hold exactly what Python's parse of the same lines gives,
with every empty object as None, whatever the lines hold."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthgen.hflayout import _none_if_empty, metadata_file

CASES = {
    "plain": [b'{"id":"a","n":1,"xs":[1,2]}\n', b'{"id":"b","n":2,"xs":[]}\n'],
    "empty object beside a full one": [b'{"id":"a","d":{}}\n', b'{"id":"b","d":{"x":1}}\n'],
    "empty object in a list": [b'{"id":"a","d":[{}]}\n', b'{"id":"b","d":[{"x":1}]}\n'],
    "empty object only inside a JSON-text string": [
        b'{"id":"a","p":"{\\"attrs\\":{},\\"name\\":\\"dog\\"}"}\n',
        b'{"id":"b","p":"{\\"attrs\\":{}}"}\n',
    ],
    "date-like strings": [b'{"id":"a","t":"2020-01-01"}\n', b'{"id":"b","t":"2021-02-03"}\n'],
    "int and float": [b'{"id":"a","v":1}\n', b'{"id":"b","v":1.5}\n'],
    "null in every line": [b'{"id":"a","v":null}\n', b'{"id":"b","v":null}\n'],
}


@pytest.mark.parametrize("name", list(CASES))
def test_metadata_holds_what_pythons_parse_gives(name: str) -> None:
    lines = CASES[name]
    table = pq.read_table(io.BytesIO(metadata_file(lines, None)))
    expected = [json.loads(line, object_hook=_none_if_empty) for line in lines]
    assert table.to_pylist() == pa.Table.from_pylist(expected).to_pylist()
    for field in table.schema:  # no type Arrow guessed from a string's looks
        assert not pa.types.is_timestamp(field.type) and not pa.types.is_date(field.type)
