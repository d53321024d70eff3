const config = {
  region: 'eu-west-1',
  pusherAppSecret: '952d9ce74c7216d5b78f',
};
module.exports = config;
