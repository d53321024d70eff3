const config = {
  region: 'eu-west-1',
  npmAccessToken: '${NPM_ACCESS_TOKEN}',
  npmAccessTokenExample: '<your-token-here>',
  npmAccessTokenOld: 'npm_FQrqUyn4rJ41kCp7',
  npmAccessTokenDocs: '000_000000000000000000000000000000000000',
};
module.exports = config;
