# Oracle for test/eventexport: the System fields of every record of an .evtx file as libevtx
# (python3-libevtx) reads them, one JSON object per line. TimeCreated is taken from libevtx's XML
# rendering (the record header's written time is a different value). Usage: python3 pyevtx-oracle.py FILE
import json
import re
import sys

import pyevtx

SYSTEM_TIME = re.compile(r'<TimeCreated SystemTime="([^"]+)"')
CHANNEL = re.compile(r"<Channel>([^<]*)</Channel>")

evtx = pyevtx.file()
evtx.open(sys.argv[1])
for i in range(evtx.number_of_records):
    record = evtx.get_record(i)
    xml = record.xml_string
    time = SYSTEM_TIME.search(xml)
    channel = CHANNEL.search(xml)
    sys.stdout.write(
        json.dumps(
            {
                "record_id": record.identifier,
                "event_id": record.event_identifier,
                "qualifiers": record.event_identifier_qualifiers,
                "level": record.event_level,
                "provider": record.source_name,
                "computer": record.computer_name,
                "channel": channel.group(1) if channel else None,
                "time": time.group(1) if time else None,
            }
        )
        + "\n"
    )
