resource "aws_lambda_function" "f" {
  function_name = "ingest"
  role          = "arn:aws:iam::123456789012:role/x"
  runtime       = "python3.12"
  environment {
    variables = {
      AWS_ACCESS_KEY_ID = "AKIAS4RFV5TGB6YHN7UJ"
    }
  }
}
