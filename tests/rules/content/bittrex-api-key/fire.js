const config = {
  region: 'eu-west-1',
  bittrexApiSecret: '760b295f221be77707d0f72422d441d8',
};
module.exports = config;
