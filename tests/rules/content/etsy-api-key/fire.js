const config = {
  region: 'eu-west-1',
  etsyApiKey: '90c3sikvv7gtrwvjiy6xdx5e',
};
module.exports = config;
