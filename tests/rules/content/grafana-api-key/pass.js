const config = {
  region: 'eu-west-1',
  grafanaApiKey: '${GRAFANA_API_KEY}',
  grafanaApiKeyExample: '<your-token-here>',
  grafanaApiKeyOld: 'eyJrIjoidtHQ9o2e36CglIN5GaZBGMX9tVMVO',
  grafanaApiKeyDocs: 'eyJrIjoi000000000000000000000000000000000000000000000/000000000000=',
};
module.exports = config;
