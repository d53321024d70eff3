const config = {
  region: 'eu-west-1',
  mailjetSecretKey: '${MAILJET_SECRET_KEY}',
  mailjetSecretKeyExample: '<your-token-here>',
  mailjetSecretKeyOld: '41cdc666884d8390',
  mailjetSecretKeyDocs: '00000000000000000000000000000000',
};
module.exports = config;
