const config = {
  region: 'eu-west-1',
  mondayApiToken: 'eyJOnc6_SXC4N2OavJdOyJW11NDmU4WAqE0.eyJfb1fllj8xpJ8s4dTQt_ueWTTFJwZZxntS1P6Qrjc6Akybab_uz2D9o.0-W2FfR03wkNJZXoKxhOSr5PF5IbiFDsgH',
};
module.exports = config;
