const config = {
  region: 'eu-west-1',
  klaviyoPrivateKey: 'pk_9d3b45d75ec8e7723842f6c8dbe62a6ca0',
};
module.exports = config;
