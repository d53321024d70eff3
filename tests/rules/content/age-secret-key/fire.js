const config = {
  region: 'eu-west-1',
  ageSecretKey: 'AGE-SECRET-KEY-1QXCLP78VNFUGGS0ADA6FA97F23NAAM8HC5DMKE58AE2X64WU37J63YK5LA',
};
module.exports = config;
