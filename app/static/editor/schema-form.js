// Builds a record's form from the API's own OpenAPI schema: the body model of the collection's
// POST, its enums as choices, its required fields marked, its limits as input constraints.
"use strict";
(function () {
  var FIRST = {
    statistics: ["value", "value_max", "qualifier", "unit", "period_start", "period_end",
      "as_of_text", "label_vi", "label_en", "key", "category", "term_id", "organization_id"],
  };
  var LISTS = { term_id: "list-terms", organization_id: "list-organizations",
    person_id: "list-people", publisher_id: "list-organizations", author_id: "list-people",
    issuer_id: "list-people", organizer_id: "list-organizations", parent_id: "list-organizations",
    reviewed_term_id: "list-terms" };

  function resolve(spec, schema) {
    while (schema && schema.$ref) {
      schema = spec.components.schemas[schema.$ref.split("/").pop()];
    }
    return schema;
  }

  // {type, enum, nullable, schema} of one property, looking through anyOf [X, null] and $ref.
  function describe(spec, property) {
    var nullable = false;
    var schema = property;
    if (property.anyOf) {
      var others = property.anyOf.filter(function (s) { return s.type !== "null"; });
      nullable = others.length < property.anyOf.length;
      schema = others[0] || {};
    }
    schema = resolve(spec, schema);
    return { type: schema.type, enumValues: schema["enum"] || null, nullable: nullable,
      schema: schema, items: schema.items ? resolve(spec, schema.items) : null,
      description: property.description || schema.description || "" };
  }

  function bodySchema(spec, collection) {
    var post = spec.paths["/api/v1/" + collection].post;
    return resolve(spec, post.requestBody.content["application/json"].schema);
  }

  function fieldNames(schema, collection) {
    var names = Object.keys(schema.properties).filter(function (n) { return n !== "sources"; });
    var first = (FIRST[collection] || []).filter(function (n) { return names.indexOf(n) >= 0; });
    return first.concat(names.filter(function (n) { return first.indexOf(n) < 0; }));
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function build(container, spec, collection, values, t) {
    var schema = bodySchema(spec, collection);
    var required = schema.required || [];
    container.textContent = "";
    fieldNames(schema, collection).forEach(function (name) {
      var info = describe(spec, schema.properties[name]);
      var id = "rf-" + name;
      var wrap = element("div", { "class": "field", "data-field": name });
      var label = element("label", { "for": id });
      var words = t("field_" + name);
      if (words === "field_" + name) { words = schema.properties[name].title || name; }
      label.appendChild(element("span", {}, words + " "));
      label.appendChild(element("code", {}, name));
      var isRequired = required.indexOf(name) >= 0;
      if (isRequired) {
        label.appendChild(document.createTextNode(" "));
        label.appendChild(element("abbr", { "class": "req", title: t("required") }, "*"));
      }
      wrap.appendChild(label);
      var input;
      if (info.enumValues) {
        input = element("select", { id: id, name: name });
        input.appendChild(element("option", { value: "" }, t("choose")));
        info.enumValues.forEach(function (v) {
          var words = t("enum_" + v);
          input.appendChild(element("option", { value: v }, words === "enum_" + v ? v : v + " — " + words));
        });
      } else if (info.type === "array") {
        input = element("input", { id: id, name: name, "data-array": "1" });
      } else if (info.type === "integer" || info.type === "number") {
        input = element("input", { id: id, name: name, type: "number",
          step: info.type === "integer" ? "1" : "any", inputmode: "decimal" });
        if (info.schema.minimum !== undefined) { input.setAttribute("min", info.schema.minimum); }
        if (info.schema.maximum !== undefined) { input.setAttribute("max", info.schema.maximum); }
      } else if (info.type === "boolean") {
        input = element("input", { id: id, name: name, type: "checkbox" });
      } else if (name === "text" || (info.schema.maxLength || 0) > 1000) {
        input = element("textarea", { id: id, name: name, rows: "4" });
      } else {
        input = element("input", { id: id, name: name });
        if (LISTS[name]) { input.setAttribute("list", LISTS[name]); }
      }
      if (info.schema.maxLength) { input.setAttribute("maxlength", info.schema.maxLength); }
      if (isRequired) { input.setAttribute("required", ""); input.setAttribute("aria-required", "true"); }
      input.setAttribute("data-type", info.type || "string");
      var described = [id + "-error"];
      var helpText = info.description + (info.type === "array" ? " " + t("list_sep") : "");
      if (helpText.trim()) {
        wrap.appendChild(input);
        wrap.appendChild(element("p", { "class": "help", id: id + "-help" }, helpText.trim()));
        described.unshift(id + "-help");
      } else {
        wrap.appendChild(input);
      }
      input.setAttribute("aria-describedby", described.join(" "));
      wrap.appendChild(element("p", { "class": "problem", id: id + "-error" }));
      container.appendChild(wrap);
    });
    fill(container, values || {});
    return schema;
  }

  function fill(container, values) {
    Array.prototype.forEach.call(container.querySelectorAll("[name]"), function (input) {
      var value = values[input.name];
      if (value === undefined || value === null) { return; }
      if (input.type === "checkbox") { input.checked = !!value; }
      else if (Array.isArray(value)) { input.value = value.join(", "); }
      else { input.value = String(value); }
    });
  }

  // The form's values: empty fields are left out (or null when `clearing`, for merge-patch).
  function read(container, clearing) {
    var values = {};
    Array.prototype.forEach.call(container.querySelectorAll("[name]"), function (input) {
      var type = input.getAttribute("data-type");
      if (type === "boolean") { values[input.name] = input.checked; return; }
      var raw = input.value.trim();
      if (raw === "") { if (clearing) { values[input.name] = null; } return; }
      if (input.hasAttribute("data-array")) {
        values[input.name] = raw.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      } else if (type === "integer") {
        values[input.name] = /^-?\d+$/.test(raw) ? parseInt(raw, 10) : raw;
      } else if (type === "number") {
        var n = Number(raw.replace(",", "."));
        values[input.name] = isNaN(n) ? raw : n;
      } else {
        values[input.name] = raw;
      }
    });
    return values;
  }

  window.SchemaForm = { bodySchema: bodySchema, build: build, read: read };
})();
