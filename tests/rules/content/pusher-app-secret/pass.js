const config = {
  region: 'eu-west-1',
  pusherAppSecret: '${PUSHER_APP_SECRET}',
  pusherAppSecretExample: '<your-token-here>',
  pusherAppSecretOld: '952d9ce74c',
  pusherAppSecretDocs: '00000000000000000000',
};
module.exports = config;
