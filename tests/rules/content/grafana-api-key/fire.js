const config = {
  region: 'eu-west-1',
  grafanaApiKey: 'eyJrIjoidtHQ9o2e36CglIN5GaZBGMX9tVMVOpttGkwgDXTmPe5WY/ZZIcn6wtgBiN=',
};
module.exports = config;
