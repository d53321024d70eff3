const config = {
  region: 'eu-west-1',
  klaviyoPrivateKey: '${KLAVIYO_PRIVATE_KEY}',
  klaviyoPrivateKeyExample: '<your-token-here>',
  klaviyoPrivateKeyOld: 'pk_9d3b45d75ec8e7723',
  klaviyoPrivateKeyDocs: 'pk_0000000000000000000000000000000000',
};
module.exports = config;
