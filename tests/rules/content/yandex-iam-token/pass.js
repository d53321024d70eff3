const config = {
  region: 'eu-west-1',
  yandexIamToken: '${YANDEX_IAM_TOKEN}',
  yandexIamTokenExample: '<your-token-here>',
  yandexIamTokenOld: 't1.K3QUl3tKQ9b81ZAScMsEh5kc2YIIXkJlbou6_1T_PDyTJjcTCm6BzailmCTuxYT_vVsU-AVfgd.Abmobw',
  yandexIamTokenDocs: 't1.000000000000000000000000000000000000_00_00000000000000000000000_0000-00000.000000-0000000000000000000000000000000000000000-00000000_00000000000000-00000000000_00=',
};
module.exports = config;
