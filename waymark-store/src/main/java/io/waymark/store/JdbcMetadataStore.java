package io.waymark.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.waymark.error.ConflictException;
import io.waymark.json.Json;
import io.waymark.record.Field;
import io.waymark.record.FieldType;
import io.waymark.record.FieldValues;
import io.waymark.record.Layout;
import io.waymark.record.MetadataStore;
import io.waymark.record.Module;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** Module metadata in tables, and one record table per module created and altered at run time. */
final class JdbcMetadataStore implements MetadataStore {
    private final JdbcTransactor tx;

    JdbcMetadataStore(JdbcTransactor tx) {
        this.tx = tx;
    }

    @Override
    public List<Module> modules(UUID orgId) {
        return tx.with(h -> {
            Map<UUID, List<Field>> fields = new HashMap<>();
            h.createQuery("SELECT id, module_id, definition, storage_column, position, deleted FROM fields WHERE org_id = :org")
                    .bind("org", orgId)
                    .map((rs, ctx) -> {
                        Field f = decodeField(Json.read(rs.getString("definition")), rs.getObject("id", UUID.class),
                                rs.getString("storage_column"), rs.getInt("position"), rs.getBoolean("deleted"));
                        fields.computeIfAbsent(rs.getObject("module_id", UUID.class), k -> new ArrayList<>()).add(f);
                        return f;
                    }).list();
            Map<UUID, List<Layout>> layouts = new HashMap<>();
            h.createQuery("SELECT id, module_id, name, is_default, sections FROM layouts WHERE org_id = :org ORDER BY name")
                    .bind("org", orgId)
                    .map((rs, ctx) -> {
                        Layout l = new Layout(rs.getObject("id", UUID.class), rs.getString("name"), rs.getBoolean("is_default"),
                                decodeSections(Json.read(rs.getString("sections"))));
                        layouts.computeIfAbsent(rs.getObject("module_id", UUID.class), k -> new ArrayList<>()).add(l);
                        return l;
                    }).list();
            return h.createQuery("SELECT * FROM modules WHERE org_id = :org ORDER BY standard DESC, api_name")
                    .bind("org", orgId)
                    .map((rs, ctx) -> {
                        UUID id = rs.getObject("id", UUID.class);
                        List<Field> fs = new ArrayList<>(fields.getOrDefault(id, List.of()));
                        fs.sort(Comparator.comparingInt(Field::position));
                        List<String> display = new ArrayList<>();
                        Json.read(rs.getString("display_fields")).forEach(n -> display.add(n.asText()));
                        List<Layout> ls = new ArrayList<>(layouts.getOrDefault(id, List.of()));
                        ls.sort(Comparator.comparing((Layout l) -> !l.isDefault()).thenComparing(Layout::name));
                        return new Module(id, rs.getString("api_name"), rs.getString("singular_label"), rs.getString("plural_label"),
                                rs.getBoolean("standard"), display, rs.getString("subject_field"), fs, ls, rs.getString("storage"));
                    }).list();
        });
    }

    @Override
    public long version(UUID orgId) {
        return tx.with(h -> h.createQuery("SELECT metadata_version FROM orgs WHERE id = :org").bind("org", orgId)
                .mapTo(Long.class).findOne().orElse(0L));
    }

    @Override
    public void bumpVersion(UUID orgId) {
        tx.with(h -> h.createUpdate("UPDATE orgs SET metadata_version = metadata_version + 1 WHERE id = :org").bind("org", orgId).execute());
    }

    @Override
    public Module createModule(UUID orgId, Module module) {
        String storage = "r_" + module.id().toString().replace("-", "");
        List<Field> fields = new ArrayList<>();
        for (Field f : module.fields()) {
            fields.add(withColumn(f, Columns.columnName(f)));
        }
        Module stored = new Module(module.id(), module.apiName(), module.singularLabel(), module.pluralLabel(), module.standard(),
                module.displayFields(), module.subjectField(), fields, module.layouts(), storage);
        tx.with(h -> {
            StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(storage).append(" (")
                    .append("id UUID PRIMARY KEY, org_id UUID NOT NULL, layout_id UUID NOT NULL, subject VARCHAR(200) NOT NULL, ")
                    .append("version BIGINT NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL, created_by UUID, ")
                    .append("modified_at TIMESTAMP WITH TIME ZONE NOT NULL, modified_by UUID");
            for (Field f : fields) {
                ddl.append(", ").append(f.column()).append(' ').append(Columns.sqlType(f.type()));
            }
            ddl.append(')');
            h.execute(ddl.toString());
            h.execute("CREATE INDEX " + storage + "_created ON " + storage + " (org_id, created_at, id)");
            for (Field f : fields) {
                fieldIndexes(h, stored, null, f);
            }
            h.createUpdate("INSERT INTO modules (id, org_id, api_name, singular_label, plural_label, standard, display_fields, subject_field, storage) "
                            + "VALUES (:id, :org, :api, :singular, :plural, :standard, :display, :subject, :storage)")
                    .bind("id", module.id()).bind("org", orgId).bind("api", module.apiName())
                    .bind("singular", module.singularLabel()).bind("plural", module.pluralLabel()).bind("standard", module.standard())
                    .bind("display", Json.write(module.displayFields())).bind("subject", module.subjectField()).bind("storage", storage)
                    .execute();
            for (Field f : fields) {
                insertField(h, orgId, module.id(), f);
            }
            for (Layout l : module.layouts()) {
                insertLayout(h, orgId, module.id(), l);
            }
            return null;
        });
        return stored;
    }

    @Override
    public void updateModule(UUID orgId, Module module) {
        tx.with(h -> h.createUpdate("UPDATE modules SET singular_label = :s, plural_label = :p, display_fields = :d, subject_field = :sf "
                        + "WHERE id = :id AND org_id = :org")
                .bind("s", module.singularLabel()).bind("p", module.pluralLabel()).bind("d", Json.write(module.displayFields()))
                .bind("sf", module.subjectField()).bind("id", module.id()).bind("org", orgId).execute());
    }

    @Override
    public Field addField(UUID orgId, Module module, Field field) {
        Field stored = withColumn(field, Columns.columnName(field));
        tx.with(h -> {
            // IF NOT EXISTS: on H2 DDL commits on its own, so a retry after a failed insert must not trip on the column.
            h.execute("ALTER TABLE " + module.storage() + " ADD COLUMN IF NOT EXISTS " + stored.column() + " " + Columns.sqlType(stored.type()));
            fieldIndexes(h, module, null, stored);
            insertField(h, orgId, module.id(), stored);
            return null;
        });
        return stored;
    }

    @Override
    public void updateField(UUID orgId, Module module, Field before, Field after) {
        tx.with(h -> {
            fieldIndexes(h, module, before, after);
            h.createUpdate("UPDATE fields SET definition = :def, deleted = :deleted WHERE id = :id AND org_id = :org")
                    .bind("def", Json.write(encodeField(after))).bind("deleted", after.deleted()).bind("id", after.id()).bind("org", orgId)
                    .execute();
            return null;
        });
    }

    /** Creates or drops the indexes a field's rules call for: unique values, lookups to follow back. */
    private void fieldIndexes(Handle h, Module module, Field before, Field after) {
        String uniqueIndex = "ux_" + after.id().toString().replace("-", "");
        boolean wasUnique = before != null && before.unique() && !before.deleted();
        boolean isUnique = after.unique() && !after.deleted();
        if (isUnique && !wasUnique) {
            try {
                h.execute("CREATE UNIQUE INDEX " + uniqueIndex + " ON " + module.storage() + " (" + after.column() + ")");
            } catch (RuntimeException e) {
                throw new ConflictException("Cannot make " + after.apiName() + " unique: some records share a value");
            }
        } else if (!isUnique && wasUnique) {
            h.execute("DROP INDEX IF EXISTS " + uniqueIndex);
        }
        if (before == null && (after.type() == FieldType.LOOKUP || after.type() == FieldType.OWNER)) {
            h.execute("CREATE INDEX IF NOT EXISTS ix_" + after.id().toString().replace("-", "") + " ON " + module.storage() + " (" + after.column() + ")");
        }
    }

    @Override
    public void renameValue(UUID orgId, Module module, Field field, String from, String to) {
        tx.with(h -> {
            if (field.type() == FieldType.PICKLIST) {
                h.createUpdate("UPDATE " + module.storage() + " SET " + field.column() + " = :to WHERE org_id = :org AND " + field.column() + " = :from")
                        .bind("to", to).bind("from", from).bind("org", orgId).execute();
            } else {
                String needle = Json.write(from);
                h.createUpdate("UPDATE " + module.storage() + " SET " + field.column() + " = REPLACE(" + field.column() + ", :needle, :repl) "
                                + "WHERE org_id = :org AND " + field.column() + " LIKE :like ESCAPE '\\'")
                        .bind("needle", needle).bind("repl", Json.write(to)).bind("like", "%" + SqlCriteria.escapeLike(needle) + "%")
                        .bind("org", orgId).execute();
            }
            return null;
        });
    }

    @Override
    public long countWithValue(UUID orgId, Module module, Field field, String value) {
        return tx.with(h -> field.type() == FieldType.PICKLIST
                ? h.createQuery("SELECT COUNT(*) FROM " + module.storage() + " WHERE org_id = :org AND " + field.column() + " = :v")
                .bind("org", orgId).bind("v", value).mapTo(Long.class).one()
                : h.createQuery("SELECT COUNT(*) FROM " + module.storage() + " WHERE org_id = :org AND " + field.column() + " LIKE :v ESCAPE '\\'")
                .bind("org", orgId).bind("v", "%" + SqlCriteria.escapeLike(Json.write(value)) + "%").mapTo(Long.class).one());
    }

    @Override
    public void saveLayout(UUID orgId, Module module, Layout layout) {
        tx.with(h -> {
            int n = h.createUpdate("UPDATE layouts SET name = :name, sections = :sections WHERE id = :id AND org_id = :org")
                    .bind("name", layout.name()).bind("sections", Json.write(encodeSections(layout))).bind("id", layout.id()).bind("org", orgId)
                    .execute();
            if (n == 0) {
                insertLayout(h, orgId, module.id(), layout);
            }
            return null;
        });
    }

    @Override
    public void deleteLayout(UUID orgId, Module module, UUID layoutId, UUID moveTo) {
        tx.with(h -> {
            h.createUpdate("UPDATE " + module.storage() + " SET layout_id = :to WHERE org_id = :org AND layout_id = :from")
                    .bind("to", moveTo).bind("from", layoutId).bind("org", orgId).execute();
            h.createUpdate("DELETE FROM layouts WHERE id = :id AND org_id = :org").bind("id", layoutId).bind("org", orgId).execute();
            return null;
        });
    }

    private static void insertField(Handle h, UUID orgId, UUID moduleId, Field f) {
        h.createUpdate("INSERT INTO fields (id, org_id, module_id, api_name, definition, storage_column, position, deleted) "
                        + "VALUES (:id, :org, :module, :api, :def, :col, :pos, :deleted)")
                .bind("id", f.id()).bind("org", orgId).bind("module", moduleId).bind("api", f.apiName())
                .bind("def", Json.write(encodeField(f))).bind("col", f.column()).bind("pos", f.position()).bind("deleted", f.deleted())
                .execute();
    }

    private static void insertLayout(Handle h, UUID orgId, UUID moduleId, Layout l) {
        h.createUpdate("INSERT INTO layouts (id, org_id, module_id, name, is_default, sections) VALUES (:id, :org, :module, :name, :def, :sections)")
                .bind("id", l.id()).bind("org", orgId).bind("module", moduleId).bind("name", l.name()).bind("def", l.isDefault())
                .bind("sections", Json.write(encodeSections(l))).execute();
    }

    private static Field withColumn(Field f, String column) {
        return new Field(f.id(), f.apiName(), f.label(), f.type(), f.required(), f.unique(), f.defaultValue(), f.maxLength(),
                f.decimalPlaces(), f.min(), f.max(), f.picklistValues(), f.lookupModule(), f.system(), f.readOnly(), column, f.position(),
                f.deleted());
    }

    static ObjectNode encodeField(Field f) {
        ObjectNode o = Json.object();
        o.put("api_name", f.apiName());
        o.put("label", f.label());
        o.put("type", f.type().apiName());
        o.put("required", f.required());
        o.put("unique", f.unique());
        o.set("default", FieldValues.toJson(f.defaultValue()));
        if (f.maxLength() != null) {
            o.put("max_length", f.maxLength());
        }
        if (f.decimalPlaces() != null) {
            o.put("decimal_places", f.decimalPlaces());
        }
        if (f.min() != null) {
            o.put("min", f.min());
        }
        if (f.max() != null) {
            o.put("max", f.max());
        }
        ArrayNode pv = o.putArray("picklist_values");
        f.picklistValues().forEach(pv::add);
        o.put("lookup_module", f.lookupModule());
        o.put("system", f.system());
        o.put("read_only", f.readOnly());
        return o;
    }

    static Field decodeField(JsonNode o, UUID id, String column, int position, boolean deleted) {
        FieldType type = FieldType.fromApiName(o.get("type").asText()).orElseThrow();
        List<String> values = new ArrayList<>();
        o.path("picklist_values").forEach(v -> values.add(v.asText()));
        Field shape = new Field(id, o.get("api_name").asText(), o.get("label").asText(), type, o.path("required").asBoolean(),
                o.path("unique").asBoolean(), null, o.hasNonNull("max_length") ? o.get("max_length").asInt() : null,
                o.hasNonNull("decimal_places") ? o.get("decimal_places").asInt() : null,
                o.hasNonNull("min") ? o.get("min").decimalValue() : null, o.hasNonNull("max") ? o.get("max").decimalValue() : null,
                values, o.hasNonNull("lookup_module") ? o.get("lookup_module").asText() : null, o.path("system").asBoolean(),
                o.path("read_only").asBoolean(), column, position, deleted);
        Object def = o.hasNonNull("default") ? FieldValues.fromJson(shape, o.get("default")).value() : null;
        return new Field(id, shape.apiName(), shape.label(), type, shape.required(), shape.unique(), def, shape.maxLength(),
                shape.decimalPlaces(), shape.min(), shape.max(), values, shape.lookupModule(), shape.system(), shape.readOnly(), column,
                position, deleted);
    }

    private static ArrayNode encodeSections(Layout l) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Layout.Section s : l.sections()) {
            ObjectNode so = a.addObject();
            so.put("name", s.name());
            ArrayNode fs = so.putArray("fields");
            s.fields().forEach(fs::add);
        }
        return a;
    }

    private static List<Layout.Section> decodeSections(JsonNode a) {
        List<Layout.Section> out = new ArrayList<>();
        for (JsonNode s : a) {
            List<String> names = new ArrayList<>();
            s.path("fields").forEach(n -> names.add(n.asText()));
            out.add(new Layout.Section(s.path("name").asText(), names));
        }
        return out;
    }
}
