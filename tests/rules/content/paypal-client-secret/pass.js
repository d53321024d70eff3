const config = {
  region: 'eu-west-1',
  paypalClientSecret: '${PAYPAL_CLIENT_SECRET}',
  paypalClientSecretExample: '<your-token-here>',
  paypalClientSecretOld: 'EGjoGKylxdEOEQnznm-AZF6W_GWY7sOVulxyH_x9',
  paypalClientSecretDocs: 'E00000000000000000-00000_000000000000_0000000000000000000000000000000000_0000000',
};
module.exports = config;
