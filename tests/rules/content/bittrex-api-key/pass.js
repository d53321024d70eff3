const config = {
  region: 'eu-west-1',
  bittrexApiSecret: '${BITTREX_API_SECRET}',
  bittrexApiSecretExample: '<your-token-here>',
  bittrexApiSecretOld: '760b295f221be777',
  bittrexApiSecretDocs: '00000000000000000000000000000000',
};
module.exports = config;
