#!/usr/bin/env python3
"""scikit-learn's pipeline on the penguins of test/sql/penguins.sql (the reference numbers
in that test): OneHotEncoder (NULL sex as its own category, unseen levels ignored) for
island and sex, SimpleImputer (mean) + StandardScaler for the numbers, LogisticRegression,
all with their defaults; trained on the penguins whose id is not a multiple of 4, scored on
the others. Usage: .venv-bench/bin/python bench/penguins.py (needs pandas, scikit-learn)."""
import os

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "..", "test", "data", "penguins.csv"))
numbers = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"]
features = ["island", "sex"] + numbers
train, test = df[df.id % 4 != 0], df[df.id % 4 == 0]
pipe = make_pipeline(
    ColumnTransformer([("categories", OneHotEncoder(handle_unknown="ignore"), ["island", "sex"]),
                       ("numbers", make_pipeline(SimpleImputer(), StandardScaler()), numbers)]),
    LogisticRegression())
pipe.fit(train[features], train.species)
complete = test.dropna(subset=numbers)
print(f"every held-out row: {(pipe.predict(test[features]) == test.species).mean():.4f} of {len(test)}")
print(f"rows without a NULL measurement: {(pipe.predict(complete[features]) == complete.species).mean():.4f} of {len(complete)}")
