"""Parses a Triton config.pbtxt as Triton's own ModelConfig protobuf message (model_config_pb2 from
PyPI tritonclient[grpc]) and prints it as JSON: a field Triton does not know, a wrong enum or bad
syntax makes text_format.Parse fail (exit 1 with the parser's message on stderr).

Usage: .venv/bin/python test/parity/python/triton_parse_config.py path/to/config.pbtxt
"""

import json
import sys

from google.protobuf import json_format, text_format
from tritonclient.grpc import model_config_pb2


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    config = model_config_pb2.ModelConfig()
    try:
        text_format.Parse(text, config)
    except text_format.ParseError as err:
        sys.stderr.write(f"config.pbtxt is not a valid Triton ModelConfig: {err}\n")
        sys.exit(1)
    # Field names as in the .proto (snake_case); enums by name; int64 fields come out as strings.
    out = json_format.MessageToDict(config, preserving_proto_field_name=True)
    print(json.dumps(out, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
