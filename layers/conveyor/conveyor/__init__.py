"""Conveyor: background jobs on SQS, Lambda, Step Functions and DynamoDB.

The shared library of the Lambda handlers, deployed as a layer. Handlers stay
thin: they parse, call into this package, and answer.
"""
