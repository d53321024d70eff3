const config = {
  region: 'eu-west-1',
  harnessAccessToken: '${HARNESS_ACCESS_TOKEN}',
  harnessAccessTokenExample: '<your-token-here>',
  harnessAccessTokenOld: 'pat.X2k2wLC1VZpgxaFGahr02H.c8cea69b2',
  harnessAccessTokenDocs: '000.0000000000000000000000.000000000000000000000000.00000000000000000000',
};
module.exports = config;
