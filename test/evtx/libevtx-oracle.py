# Oracle for test/evtx: prints one JSON object per record that libevtx (pyevtx) renders, parsed
# from its XML: EventRecordID, EventID, Qualifiers, Provider, Channel, Computer, TimeCreated and
# the EventData/UserData values. Records libevtx cannot render are listed as failures.
import json
import sys
import xml.etree.ElementTree as ET

import pyevtx

NS = '{http://schemas.microsoft.com/win/2004/08/events/event}'


def local(tag):
    return tag.split('}', 1)[-1]


def leaves(element):
    children = list(element)
    if not children:
        yield element
    for child in children:
        yield from leaves(child)


def record_json(record):
    root = ET.fromstring(record.xml_string)
    system = root.find(NS + 'System')
    event_id = system.find(NS + 'EventID')
    provider = system.find(NS + 'Provider')
    time = system.find(NS + 'TimeCreated')
    data = []
    binary = None
    event_data = root.find(NS + 'EventData')
    if event_data is not None:
        for item in event_data:
            if local(item.tag) == 'Data':
                data.append([item.get('Name'), item.text or ''])
            elif local(item.tag) == 'Binary':
                binary = item.text or ''
    user_data = root.find(NS + 'UserData')
    if user_data is not None:
        for wrapper in user_data:
            for leaf in leaves(wrapper):
                data.append([local(leaf.tag), leaf.text or ''])

    def text(name):
        node = system.find(NS + name)
        return None if node is None else (node.text or '')

    return {
        'offset': record.offset,
        'record_id': text('EventRecordID'),
        'event_id': event_id.text,
        'qualifiers': event_id.get('Qualifiers'),
        'provider': None if provider is None else provider.get('Name'),
        'channel': text('Channel'),
        'computer': text('Computer'),
        'time_created': None if time is None else time.get('SystemTime'),
        'data': data,
        'binary': binary,
    }


def main(path, mode):
    evtx = pyevtx.file()
    evtx.open(path)
    count = evtx.number_of_recovered_records if mode == 'recovered' else evtx.number_of_records
    get = evtx.get_recovered_record if mode == 'recovered' else evtx.get_record
    for index in range(count):
        try:
            out = record_json(get(index))
        except Exception as error:  # libevtx refuses the record: the test counts these
            out = {'index': index, 'failed': str(error).splitlines()[0][:200]}
        sys.stdout.write(json.dumps(out) + '\n')


main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else 'items')
