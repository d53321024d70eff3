const config = {
  region: 'eu-west-1',
  duffelApiToken: 'duffel_live_=naqDxxQEtOkmzD78CMo8Amvh_EajpBo8IYovCVSHX5',
};
module.exports = config;
