const { CloudEvent, Kafka, HTTP } = require('cloudevents');
const data = { uscc: '91110101MA01ABCD5M', name: 'x', establishedOn: '2021-05-10', districtCode: '110101', site: { address: 'a' } };
const e = new CloudEvent({ specversion: '1.0', id: 'e-1', source: 'urn:dongcheng:samr', type: 'cn.gov.dongcheng.siliconalley.enterprise.registered.v1', time: '2025-10-10T10:00:00+08:00', subject: '91110101MA01ABCD5M', data });
console.log('own props', Object.getOwnPropertyNames(e).map(p => [p, e[p]]));
const kb = Kafka.binary(e);
console.log('Kafka.binary', kb, 'typeof value', typeof kb.value);
const ks = Kafka.structured(e);
console.log('Kafka.structured', ks);
console.log('HTTP.binary', HTTP.binary(e));
console.log('HTTP.structured', HTTP.structured(e));
console.log('HTTP keys', Object.keys(HTTP), 'Kafka keys', Object.keys(Kafka));
const e2 = new CloudEvent({ id: 'e-2', source: 'urn:dongcheng:samr', type: 't', subject: '', datacontenttype: 'application/json', dataschema: '', data }, false);
console.log('subject empty', Kafka.binary(e2).headers);
try { new CloudEvent({ id: 'e-3', source: 'urn:x', type: 't', subject: '' }); } catch (err) { console.log('strict empty subject:', err.message, JSON.stringify(err.errors)); }
const e4 = new CloudEvent({ id: 'e-4', source: 'urn:x', type: 't', partitionkey: 'K', data });
console.log('partitionkey', Kafka.binary(e4));
console.log('ext', Kafka.binary(new CloudEvent({ id: 'e-5', source: 'urn:x', type: 't', myext: 'v', data })).headers);
console.log('HTTP ext', HTTP.binary(new CloudEvent({ id: 'e-5', source: 'urn:x', type: 't', myext: 'v', subject: '中文 a:b', data })).headers);
