"""Régions and départements: reference data loaded at start-up from services.directory.reference_data."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Region(SQLModel, table=True):
    __tablename__ = "regions"

    code: str = Field(primary_key=True, max_length=3)
    name: str = Field(max_length=80)
    overseas: bool = Field(default=False)


class Departement(SQLModel, table=True):
    __tablename__ = "departements"

    code: str = Field(primary_key=True, max_length=3)
    name: str = Field(max_length=80)
    region_code: str = Field(foreign_key="regions.code", max_length=3, index=True)
    overseas: bool = Field(default=False, index=True)
    latitude: float
    longitude: float
