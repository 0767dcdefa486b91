# Oracle for test/evt: dumps every record of a legacy .evt file as libevt (python3-libevt) reads it,
# one JSON object per line. Usage: python3 pyevt-oracle.py FILE
import json
import sys

import pyevt


def dump(record, recovered):
    try:
        data = record.data
    except OSError:  # pyevt raises for a record without data
        data = None
    return {
        "recovered": recovered,
        "offset": record.offset,
        "record_number": record.identifier,
        "event_identifier": record.event_identifier,
        "event_type": record.event_type,
        "event_category": record.event_category,
        "source": record.source_name,
        "computer": record.computer_name,
        "time": record.get_creation_time_as_integer(),
        "sid": record.user_security_identifier,
        "strings": [record.get_string(i) for i in range(record.number_of_strings)],
        "data": data.hex() if data else None,
    }


evt = pyevt.file()
evt.open(sys.argv[1])
out = sys.stdout
for i in range(evt.number_of_records):
    out.write(json.dumps(dump(evt.get_record(i), False)) + "\n")
for i in range(evt.number_of_recovered_records):
    out.write(json.dumps(dump(evt.get_recovered_record(i), True)) + "\n")
