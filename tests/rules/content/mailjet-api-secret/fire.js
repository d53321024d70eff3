const config = {
  region: 'eu-west-1',
  mailjetSecretKey: '41cdc666884d8390d47aa589f22282d6',
};
module.exports = config;
